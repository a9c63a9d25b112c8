package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken plugin jars in the image's way: a provider whose constructor throws and a jar that
 * requires a JDK module the image does not carry ({@code java.desktop}) sit beside a good jar.
 * {@code plugins}, {@code check} and {@code run} report them and go on with the good one.
 */
@Timeout(120)
class PluginFaultsIT {

    @TempDir
    static Path work;
    static Path plugins;

    @BeforeAll
    static void buildJars() throws IOException {
        plugins = Files.createDirectories(work.resolve("plugins"));
        jar("com.example.good", "good", "", "");
        jar("com.example.faulty", "faulty", "", "throw new IllegalStateException(\"cannot start\");");
        jar("com.example.desktop", "desktop", "requires java.desktop;", "");
    }

    @Test
    void pluginsListsTheGoodOneAndNamesEachBrokenJarWithoutAStackTrace() throws Exception {
        ImageIT.Result r = ImageIT.protowrap("plugins", "--plugins-dir", plugins.toString());

        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("good ") && l.contains("plugin")), r.out());
        assertTrue(r.out().contains("com.example.faulty.Provider failed to load: it threw "
                + "java.lang.IllegalStateException: cannot start"), r.out());
        assertTrue(r.out().contains("com.example.desktop.jar: module com.example.desktop cannot be resolved")
                && r.out().contains("java.desktop"), r.out());
        assertFalse((r.out() + r.err()).contains("\tat "), "no stack trace:\n" + r.out() + r.err());
    }

    @Test
    void pluginsWithAMissingFolderSaysSo() throws Exception {
        ImageIT.Result r = ImageIT.protowrap("plugins", "--plugins-dir", work.resolve("absent").toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("no such folder"), r.err());
    }

    @Test
    void checkAcceptsAConfigurationSelectingTheGoodPlugin() throws Exception {
        Path config = work.resolve("good.yaml");
        Files.writeString(config, """
                pluginsDir: %s
                wrappers:
                  - name: w
                    protocol: good
                    listenPort: 7001
                    destAddr: 127.0.0.1:7002
                """.formatted(plugins));

        ImageIT.Result r = ImageIT.protowrap("check", "--config", config.toString());

        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("OK, 1 wrapper"), r.out());
        assertFalse((r.out() + r.err()).contains("\tat "), "no stack trace:\n" + r.out() + r.err());
    }

    /** A plugin module with one validator provider named {@code name}; {@code constructor} is its body. */
    private static void jar(String module, String name, String requires, String constructor) throws IOException {
        Path src = Files.createDirectories(work.resolve("src-" + module));
        Path classes = Files.createDirectories(work.resolve("classes-" + module));
        Path pkg = Files.createDirectories(src.resolve(module.replace('.', '/')));
        Files.writeString(src.resolve("module-info.java"), """
                module %s {
                    requires org.protowrap.api;
                    %s
                    provides org.protowrap.spi.ValidatorProvider with %s.Provider;
                }
                """.formatted(module, requires, module));
        Files.writeString(pkg.resolve("Provider.java"), """
                package %s;

                import java.util.List;
                import java.util.Optional;
                import org.protowrap.api.*;

                public final class Provider implements org.protowrap.spi.ValidatorProvider {
                    public Provider() { %s }
                    public String name() { return "%s"; }
                    public String description() { return "test plugin %s"; }
                    public List<Rule> rules() { return List.of(); }
                    public Validator create(ValidatorConfig config) {
                        return new Validator() {
                            public ValidatorSession newSession(SessionInfo s) { return (data, out) -> out.sendToServer(data); }
                            public boolean serverSpeaksFirst() { return false; }
                            public Optional<byte[]> refusal(Refusal r) { return Optional.empty(); }
                        };
                    }
                }
                """.formatted(module, constructor, name, name));
        run("javac", "--module-path", apiJar().toString(), "-d", classes.toString(), "-proc:none",
                src.resolve("module-info.java").toString(), pkg.resolve("Provider.java").toString());
        run("jar", "--create", "--file", plugins.resolve(module + ".jar").toString(), "-C", classes.toString(), ".");
    }

    private static Path apiJar() {
        try {
            return Path.of(org.protowrap.spi.ValidatorProvider.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(String tool, String... args) {
        StringWriter out = new StringWriter();
        int code = ToolProvider.findFirst(tool).orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(out), args);
        if (code != 0) {
            throw new IllegalStateException(tool + " " + String.join(" ", List.of(args)) + " failed:\n" + out);
        }
    }
}
