package org.protowrap.engine.plugin;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.protowrap.spi.BalancerProvider;
import org.protowrap.spi.Provider;
import org.protowrap.spi.ValidatorProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every validator and balancer provider the engine can use: those in the boot layer (built in)
 * and those in the jars of the plugins folder, loaded into one child {@link ModuleLayer}.
 *
 * <p>Resolution is parent-first: a module the boot layer already has (the API, a logging jar)
 * is taken from the boot layer even if a jar in the folder holds another copy. A plugin module
 * that contains the API's packages itself would bind to its own copy and never be found, so it
 * is refused with a message saying so. A jar that cannot be read, is not a named module, or
 * whose dependencies are missing is reported and skipped; the others still load. Jars join the
 * layer one at a time in file-name order, each kept only if it resolves beside those already
 * kept, so a broken jar cannot take a good one down with it. A provider whose constructor throws,
 * or whose name is not a lower-case word, is reported and skipped the same way.
 */
public final class PluginRegistry {

    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);
    private static final Set<String> API_PACKAGES = Set.of("org.protowrap.api", "org.protowrap.spi");
    /** The documented form of a provider name: the word a configuration selects it by. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    /** A loader that fails this often for one service is not going to recover. */
    private static final int MAX_LOAD_FAILURES = 100;

    private final List<Plugin> plugins;
    private final List<PluginProblem> problems;

    private PluginRegistry(List<Plugin> plugins, List<PluginProblem> problems) {
        this.plugins = List.copyOf(plugins);
        this.problems = List.copyOf(problems);
    }

    /** The built-in providers only. */
    public static PluginRegistry builtIn() {
        return load(Optional.empty());
    }

    /** The built-in providers and those in the jars of {@code pluginsDir}, if it is given and exists. */
    public static PluginRegistry load(Optional<Path> pluginsDir) {
        List<PluginProblem> problems = new ArrayList<>();
        ModuleLayer layer = pluginsDir.filter(Files::isDirectory)
                .map(dir -> pluginLayer(dir, problems))
                .orElse(ModuleLayer.boot());
        List<Plugin> plugins = new ArrayList<>();
        for (PluginKind kind : PluginKind.values()) {
            collect(layer, kind, plugins, problems);
        }
        findDuplicates(plugins, problems);
        plugins.sort(Comparator.comparing(Plugin::kind).thenComparing(Plugin::name).thenComparing(Plugin::module));
        problems.forEach(p -> log.warn("plugin problem: {}", p));
        return new PluginRegistry(plugins, problems);
    }

    /** Every provider found, sorted by kind and name. */
    public List<Plugin> plugins() {
        return plugins;
    }

    /** Jars and providers that could not be used. */
    public List<PluginProblem> problems() {
        return problems;
    }

    /** The provider of this kind and name, if exactly one has it. */
    public Optional<Plugin> find(PluginKind kind, String name) {
        List<Plugin> named = plugins.stream().filter(p -> p.kind() == kind && p.name().equals(name)).toList();
        return named.size() == 1 ? Optional.of(named.get(0)) : Optional.empty();
    }

    /** The provider implementing {@code service} with this name, if exactly one has it. */
    public <P extends Provider> Optional<P> provider(Class<P> service, String name) {
        return find(PluginKind.of(service), name).map(p -> service.cast(p.provider()));
    }

    public Optional<ValidatorProvider> validator(String name) {
        return provider(ValidatorProvider.class, name);
    }

    public Optional<BalancerProvider> balancer(String name) {
        return provider(BalancerProvider.class, name);
    }

    /** The names of this kind, sorted, for "valid choices" messages. */
    public List<String> names(PluginKind kind) {
        return plugins.stream().filter(p -> p.kind() == kind).map(Plugin::name).distinct().toList();
    }

    private static ModuleLayer pluginLayer(Path dir, List<PluginProblem> problems) {
        ModuleLayer boot = ModuleLayer.boot();
        Map<String, Path> jars = new LinkedHashMap<>();
        for (Path jar : jarsIn(dir, problems)) {
            acceptable(jar, boot, problems).ifPresent(name -> {
                Path other = jars.putIfAbsent(name, jar);
                if (other != null) {
                    problems.add(new PluginProblem(jar.toString(),
                            "module " + name + " is also in " + other + "; remove one of the two jars", true));
                }
            });
        }
        if (jars.isEmpty()) {
            return boot;
        }
        ModuleFinder finder = ModuleFinder.of(jars.values().toArray(Path[]::new));
        List<String> roots = new ArrayList<>();
        Configuration cf = boot.configuration();
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            List<String> tried = new ArrayList<>(roots);
            tried.add(jar.getKey());
            Optional<Configuration> together = resolve(boot, finder, tried);
            if (together.isPresent()) {
                roots.add(jar.getKey());
                cf = together.get();
            } else {
                problems.add(new PluginProblem(jar.getValue().toString(), "module " + jar.getKey()
                        + " cannot be resolved: " + whyUnresolvable(boot, finder, jar.getKey(), roots), false));
            }
        }
        if (roots.isEmpty()) {
            return boot;
        }
        ClassLoader parent = PluginRegistry.class.getClassLoader();
        return boot.defineModulesWithManyLoaders(cf, parent);
    }

    private static List<Path> jarsIn(Path dir, List<PluginProblem> problems) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            problems.add(new PluginProblem(dir.toString(), "cannot list the plugins folder: " + e, false));
            return List.of();
        }
    }

    /** The jar's module name if the jar may join the plugin layer; otherwise says why not. */
    private static Optional<String> acceptable(Path jar, ModuleLayer boot, List<PluginProblem> problems) {
        ModuleDescriptor descriptor;
        try {
            Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
            if (found.isEmpty()) {
                problems.add(new PluginProblem(jar.toString(), "holds no module", false));
                return Optional.empty();
            }
            descriptor = found.iterator().next().descriptor();
        } catch (FindException e) {
            problems.add(new PluginProblem(jar.toString(), "cannot be read as a module: " + rootCause(e), false));
            return Optional.empty();
        }
        if (descriptor.isAutomatic()) {
            problems.add(new PluginProblem(jar.toString(), "is not a named module (no module-info.class): a plugin "
                    + "declares 'provides org.protowrap.spi.ValidatorProvider with ...' in its module-info.java", false));
            return Optional.empty();
        }
        if (boot.findModule(descriptor.name()).isPresent()) {
            log.info("{}: module {} is already in the image; the image's copy is used", jar, descriptor.name());
            return Optional.empty();
        }
        List<String> apiCopy = descriptor.packages().stream().filter(API_PACKAGES::contains).sorted().toList();
        if (!apiCopy.isEmpty()) {
            problems.add(new PluginProblem(jar.toString(), "module " + descriptor.name()
                    + " bundles its own copy of the ProtoWrap API (" + String.join(", ", apiCopy)
                    + "); build it against protowrap-api without bundling it, so it binds to the engine's", false));
            return Optional.empty();
        }
        return Optional.of(descriptor.name());
    }

    private static Optional<Configuration> resolve(ModuleLayer boot, ModuleFinder finder, List<String> roots) {
        try {
            // Parent-first: nothing in "before", the plugin jars only "after" the boot layer. No service
            // binding: every jar is a root already, and binding would drag a broken provider jar into the
            // resolution of every good one (the engine's "uses" are in the parent configuration).
            return Optional.of(boot.configuration().resolve(ModuleFinder.of(), finder, roots));
        } catch (ResolutionException | FindException e) {
            return Optional.empty();
        }
    }

    /** Why {@code root} does not resolve, alone or beside the jars already accepted. */
    private static String whyUnresolvable(ModuleLayer boot, ModuleFinder finder, String root, List<String> accepted) {
        try {
            boot.configuration().resolve(ModuleFinder.of(), finder, List.of(root));
            return "it conflicts with " + String.join(", ", accepted) + " (two modules with one package?)";
        } catch (ResolutionException | FindException e) {
            return rootCause(e);
        }
    }

    private static void collect(ModuleLayer layer, PluginKind kind, List<Plugin> plugins, List<PluginProblem> problems) {
        Iterator<? extends ServiceLoader.Provider<? extends Provider>> providers =
                ServiceLoader.load(layer, kind.service()).stream().iterator();
        for (int failures = 0; failures < MAX_LOAD_FAILURES; ) {
            ServiceLoader.Provider<? extends Provider> provider;
            try {
                if (!providers.hasNext()) {
                    return;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                // The loader goes on with the next provider after an error (best effort, as documented).
                failures++;
                problems.add(new PluginProblem("(plugin layer)", kind.word() + " provider failed to load: "
                        + rootCause(e), false));
                continue;
            }
            try {
                plugins.add(plugin(provider, kind));
            } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
                failures++;
                problems.add(new PluginProblem(locationOf(provider.type().getModule()), kind.word() + " provider "
                        + provider.type().getName() + " failed to load: " + constructorFault(e) + "; it is skipped",
                        false));
            } catch (NameException e) {
                problems.add(new PluginProblem(locationOf(provider.type().getModule()), kind.word() + " provider "
                        + provider.type().getName() + " is skipped: " + e.getMessage(), false));
            }
        }
    }

    private static Plugin plugin(ServiceLoader.Provider<? extends Provider> provider, PluginKind kind)
            throws NameException {
        Module module = provider.type().getModule();
        Provider instance = provider.get();
        String name = instance.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new NameException("its name " + (name == null ? "is null" : "\"" + name + "\" is not")
                    + " a lower-case word (a letter, then up to 31 letters, digits, '_' or '-')");
        }
        return new Plugin(name, kind, String.valueOf(instance.description()), module.getName(), locationOf(module),
                module.getLayer() == ModuleLayer.boot(), instance);
    }

    /** A provider name that breaks the documented form. */
    private static final class NameException extends Exception {
        private static final long serialVersionUID = 1L;

        NameException(String message) {
            super(message, null, false, false);
        }
    }

    /** The exception a provider's constructor (or its name()) threw, without the loader's wrapping. */
    private static String constructorFault(Throwable e) {
        Throwable t = e;
        while (t instanceof ServiceConfigurationError && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ServiceConfigurationError) {
            return t.getMessage();
        }
        return "it threw " + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static void findDuplicates(List<Plugin> plugins, List<PluginProblem> problems) {
        Map<String, List<Plugin>> byName = new HashMap<>();
        for (Plugin p : plugins) {
            byName.computeIfAbsent(p.kind().word() + " " + p.name(), k -> new ArrayList<>()).add(p);
        }
        byName.forEach((name, same) -> {
            if (same.size() > 1) {
                String who = same.stream().map(p -> "module " + p.module() + " (" + p.location() + ")")
                        .collect(Collectors.joining(" and "));
                problems.add(new PluginProblem(same.get(0).location(),
                        "two providers of " + name + ": " + who + "; remove one of them", true));
            }
        });
    }

    private static String locationOf(Module module) {
        ModuleLayer layer = module.getLayer();
        if (layer == null) {
            return "unnamed";
        }
        return layer.configuration().findModule(module.getName())
                .flatMap(m -> m.reference().location())
                .map(uri -> "file".equals(uri.getScheme()) ? Path.of(uri).toString() : uri.toString())
                .orElse("unknown");
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? message : e.getMessage() + " (" + message + ")";
    }
}
