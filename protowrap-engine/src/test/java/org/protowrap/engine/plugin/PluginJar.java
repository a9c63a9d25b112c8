package org.protowrap.engine.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleFinder;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Builds a real plugin jar at test time: compiles a small validator or balancer module against
 * the API with javac, and packs it. Variants produce the broken jars a user might drop in.
 */
final class PluginJar {

    private final String module;
    private String validatorName;
    private String balancerName;
    private boolean named = true;
    private boolean bundleApi;
    private boolean throwing;
    private final List<String> requires = new ArrayList<>();

    private PluginJar(String module) {
        this.module = module;
    }

    static PluginJar module(String module) {
        return new PluginJar(module);
    }

    /** Provides a validator with this name; its validator refuses nothing and says who made it. */
    PluginJar validator(String name) {
        this.validatorName = name;
        return this;
    }

    /** Provides a balancer with this name that always chooses the first candidate. */
    PluginJar balancer(String name) {
        this.balancerName = name;
        return this;
    }

    /** Packs no module-info.class, with META-INF/services instead: a classpath-style jar. */
    PluginJar unnamed() {
        this.named = false;
        return this;
    }

    /** Packs a copy of the API's class files into the plugin jar, as a shaded build would. */
    PluginJar bundlingApi() {
        this.bundleApi = true;
        return this;
    }

    /** The validator provider's constructor throws, as a plugin that fails to initialise would. */
    PluginJar throwingConstructor() {
        this.throwing = true;
        return this;
    }

    /**
     * Adds {@code requires other;} to the module-info. A name outside the JDK is compiled against
     * an empty stub module that is not packed: at run time the module is absent.
     */
    PluginJar requiring(String other) {
        requires.add(other);
        return this;
    }

    /** The location of the API module the engine runs with: a jar or a classes folder. */
    static Path apiLocation() {
        URI uri = ModuleLayer.boot().configuration().findModule("org.protowrap.api").orElseThrow()
                .reference().location().orElseThrow();
        return Path.of(uri);
    }

    Path buildIn(Path dir) throws IOException {
        Path src = Files.createTempDirectory(dir.getParent() == null ? dir : dir.getParent(), "src-");
        Path classes = Files.createTempDirectory(src.getParent(), "classes-");
        String pkg = module.replace('.', '/');
        List<String> files = new ArrayList<>();
        files.add(write(src.resolve("module-info.java"), moduleInfo()));
        if (validatorName != null) {
            files.add(write(src.resolve(pkg + "/FixtureValidatorProvider.java"), validatorSource()));
        }
        if (balancerName != null) {
            files.add(write(src.resolve(pkg + "/FixtureBalancerProvider.java"), balancerSource()));
        }
        compile(classes, files, stubs(src));
        Path jar = dir.resolve(module + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            addTree(out, classes, named ? p -> true : p -> !p.equals("module-info.class"));
            if (!named) {
                add(out, "META-INF/services/org.protowrap.spi.ValidatorProvider", (module + ".FixtureValidatorProvider\n").getBytes());
            }
            if (bundleApi) {
                copyApiInto(out);
            }
        }
        return jar;
    }

    private String moduleInfo() {
        StringBuilder s = new StringBuilder("module " + module + " {\n  requires org.protowrap.api;\n");
        requires.forEach(r -> s.append("  requires ").append(r).append(";\n"));
        if (validatorName != null) {
            s.append("  provides org.protowrap.spi.ValidatorProvider with ").append(module).append(".FixtureValidatorProvider;\n");
        }
        if (balancerName != null) {
            s.append("  provides org.protowrap.spi.BalancerProvider with ").append(module).append(".FixtureBalancerProvider;\n");
        }
        return s.append("}\n").toString();
    }

    private String validatorSource() {
        return """
                package %1$s;

                import java.util.List;
                import java.util.Optional;
                import org.protowrap.api.*;
                import org.protowrap.spi.ValidatorProvider;

                public final class FixtureValidatorProvider implements ValidatorProvider {
                    public FixtureValidatorProvider() {
                        if (%3$s) {
                            throw new IllegalStateException("fixture cannot start");
                        }
                    }
                    public String name() { return "%2$s"; }
                    public String description() { return "fixture validator from %1$s"; }
                    public List<Rule> rules() { return List.of(new Rule("fixture.any", RuleMode.ENFORCE, "fixture rule")); }
                    public Validator create(ValidatorConfig config) {
                        String greeting = config.options().string("greeting", "hello");
                        if (greeting.isEmpty()) {
                            config.options().problem("greeting", "must not be empty");
                        }
                        return new Validator() {
                            public ValidatorSession newSession(SessionInfo s) { return (data, out) -> out.sendToServer(data); }
                            public boolean serverSpeaksFirst() { return false; }
                            public Optional<byte[]> refusal(Refusal r) { return Optional.of(greeting.getBytes()); }
                        };
                    }
                }
                """.formatted(module, validatorName, throwing);
    }

    private String balancerSource() {
        return """
                package %1$s;

                import java.util.List;
                import java.util.Optional;
                import org.protowrap.api.*;
                import org.protowrap.spi.BalancerProvider;

                public final class FixtureBalancerProvider implements BalancerProvider {
                    public String name() { return "%2$s"; }
                    public String description() { return "fixture balancer from %1$s"; }
                    public Balancer create(BalancerConfig config) {
                        return (candidates, client) -> Optional.of(candidates.get(0));
                    }
                }
                """.formatted(module, balancerName);
    }

    private static String write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file.toString();
    }

    /** Compiles an empty module for each required name the JDK does not have; returns their folders. */
    private List<Path> stubs(Path src) throws IOException {
        List<Path> stubs = new ArrayList<>();
        for (String name : requires) {
            if (ModuleFinder.ofSystem().find(name).isEmpty()) {
                Path stub = src.resolveSibling(src.getFileName() + "-stub-" + name);
                compile(stub, List.of(write(stub.resolve("src/module-info.java"), "module " + name + " {}\n")), List.of());
                stubs.add(stub);
            }
        }
        return stubs;
    }

    private static void compile(Path classes, List<String> files, List<Path> extraModules) {
        ToolProvider javac = ToolProvider.findFirst("javac")
                .orElseThrow(() -> new IllegalStateException("javac is not available to the tests"));
        StringBuilder modulePath = new StringBuilder(apiLocation().toString());
        extraModules.forEach(m -> modulePath.append(java.io.File.pathSeparator).append(m));
        List<String> args = new ArrayList<>(List.of("--module-path", modulePath.toString(),
                "-d", classes.toString(), "-proc:none"));
        args.addAll(files);
        StringWriter errors = new StringWriter();
        int code = javac.run(new PrintWriter(errors), new PrintWriter(errors), args.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("fixture did not compile:\n" + errors);
        }
    }

    private static void copyApiInto(JarOutputStream out) throws IOException {
        Path api = apiLocation();
        if (Files.isDirectory(api)) {
            addTree(out, api, p -> p.startsWith("org/protowrap/spi/") || p.startsWith("org/protowrap/api/"));
        } else {
            try (FileSystem zip = FileSystems.newFileSystem(api, Map.of())) {
                addTree(out, zip.getPath("/"), p -> p.startsWith("org/protowrap/spi/") || p.startsWith("org/protowrap/api/"));
            }
        }
    }

    private static void addTree(JarOutputStream out, Path root, java.util.function.Predicate<String> include)
            throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = root.relativize(file).toString().replace('\\', '/');
                if (include.test(name)) {
                    add(out, name, Files.readAllBytes(file));
                }
            }
        }
    }

    private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    /** Packs the API's own classes as a module jar (when the tests run from a classes folder). */
    Path buildInApiCopy(Path dir) throws IOException {
        Path jar = dir.resolve("protowrap-api.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            addTree(out, apiLocation(), p -> true);
        }
        return jar;
    }

    /** Writes bytes that are no zip at all. */
    static Path corrupt(Path dir, String fileName) throws IOException {
        Path jar = dir.resolve(fileName);
        try (OutputStream out = Files.newOutputStream(jar)) {
            out.write("PK\u0003\u0004 this is not really a zip file".getBytes());
        }
        return jar;
    }
}
