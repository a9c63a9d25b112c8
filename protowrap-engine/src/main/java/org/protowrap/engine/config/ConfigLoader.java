package org.protowrap.engine.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.protowrap.api.BalancerConfig;
import org.protowrap.api.ClientTls;
import org.protowrap.api.OptionsException;
import org.protowrap.api.Problem;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.MapOptions;
import org.protowrap.engine.plugin.PluginKind;
import org.protowrap.engine.plugin.PluginProblem;
import org.protowrap.engine.plugin.PluginRegistry;
import org.protowrap.engine.system.Privileges;
import org.protowrap.spi.BalancerProvider;
import org.protowrap.spi.Provider;
import org.protowrap.spi.ValidatorProvider;

/**
 * Reads a configuration file strictly: unknown keys, missing keys, wrong types, values out of
 * range, unknown plugin names and clashes between wrappers are all collected, each with file,
 * line, column and key, and reported together in one {@link ConfigException}. The selected
 * plugins are built, so their own option problems are reported in the same list.
 */
public final class ConfigLoader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

    private final Path home;
    private final Function<Optional<Path>, PluginRegistry> registries;

    /**
     * @param home the image home: a relative {@code pluginsDir} is resolved against it
     * @param registries loads the plugin registry for a plugins folder
     */
    public ConfigLoader(Path home, Function<Optional<Path>, PluginRegistry> registries) {
        this.home = home;
        this.registries = registries;
    }

    /** A loader for the image at {@code home}, loading plugins from the configured folder. */
    public static ConfigLoader forHome(Path home) {
        return new ConfigLoader(home, PluginRegistry::load);
    }

    /**
     * A loader like this one that binds every configuration to {@code registry}, whatever its
     * {@code pluginsDir} says: the plugins a server loaded at start stay those it reloads with.
     */
    public ConfigLoader withPlugins(PluginRegistry registry) {
        return new ConfigLoader(home, folder -> registry);
    }

    /** Reads and checks a configuration file. */
    public Configuration load(Path file) {
        String text;
        try {
            long size = Files.size(file);
            if (size > YamlDocument.MAX_FILE_BYTES) {
                throw unreadable(file, "is " + size + " bytes; a configuration file may have at most "
                        + YamlDocument.MAX_FILE_BYTES + " (" + (YamlDocument.MAX_FILE_BYTES >> 20) + " MiB)");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw unreadable(file, "no such file");
        } catch (AccessDeniedException e) {
            throw unreadable(file, "permission denied");
        } catch (MalformedInputException e) {
            throw unreadable(file, "is not UTF-8 text");
        } catch (IOException e) {
            throw unreadable(file, "cannot be read: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        }
        return parse(file, text);
    }

    private static ConfigException unreadable(Path file, String why) {
        return new ConfigException(List.of(new Problem(file.toString(), "(file)", why)));
    }

    /** Checks configuration text; {@code file} names it in messages. */
    public Configuration parse(Path file, String text) {
        YamlDocument doc = YamlDocument.parse(file.toString(), text);
        List<Problem> problems = new ArrayList<>(doc.problems());
        if (!doc.complete()) {
            throw new ConfigException(problems);
        }
        if (!(doc.root() instanceof Map<?, ?> rootMap)) {
            if (problems.isEmpty()) {
                problems.add(new Problem(doc.locate(""), "(root)", "the file must be a map with at least 'wrappers:'"));
            }
            throw new ConfigException(problems);
        }
        MapOptions top = MapOptions.root(MapOptions.stringKeys(rootMap), "", doc::locate);
        Binding binding = new Binding(top, file.toAbsolutePath().getParent());
        Configuration configuration = binding.bind(file);
        problems.addAll(top.problems());
        problems.addAll(binding.pluginProblems);
        if (!problems.isEmpty()) {
            throw new ConfigException(sorted(problems));
        }
        return configuration;
    }

    private static List<Problem> sorted(List<Problem> problems) {
        List<Problem> unique = new ArrayList<>(new LinkedHashSet<>(problems));
        unique.sort(Comparator.comparingLong(ConfigLoader::position));
        return ChoiceLists.namedOnce(unique);
    }

    /** Sort key: line and column of a {@code file:line:column} location; unlocated last. */
    private static long position(Problem p) {
        String[] parts = p.location().split(":");
        try {
            return Long.parseLong(parts[parts.length - 2]) * 10_000 + Long.parseLong(parts[parts.length - 1]);
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /** One pass over one file: the readers record problems in the shared tree. */
    private final class Binding {
        private final MapOptions top;
        private final List<Problem> pluginProblems = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private final TlsSections tlsSections;
        private final EdgeSections edgeSections;
        private PluginRegistry registry;

        /** @param base the configuration file's folder: relative certificate and key files are found there */
        Binding(MapOptions top, Path base) {
            this.top = top;
            this.tlsSections = new TlsSections(base, warnings);
            this.edgeSections = new EdgeSections(base);
        }

        Configuration bind(Path file) {
            ConfigKeys.TOP.declare(top);
            int logLevel = ConfigKeys.LOG_LEVEL.integer(top);
            Path pluginsDir = home.resolve(ConfigKeys.PLUGINS_DIR.string(top));
            if (top.has("pluginsDir") && !Files.isDirectory(pluginsDir)) {
                top.problem("pluginsDir", pluginsDir + ": no such folder");
            }
            Optional<String> user = Optional.ofNullable(ConfigKeys.USER.string(top));
            Optional<String> group = Optional.ofNullable(ConfigKeys.GROUP.string(top));
            Privileges.unknownUser(user).ifPresent(m -> top.problem("user", m));
            Privileges.unknownGroup(group).ifPresent(m -> top.problem("group", m));
            boolean allowRoot = ConfigKeys.ALLOW_ROOT.bool(top);
            Duration grace = ConfigKeys.SHUTDOWN_GRACE.duration(top);
            int ioThreads = ConfigKeys.IO_THREADS.integer(top);
            AccessLogFormat accessLog = ConfigKeys.ACCESS_LOG.choice(top, AccessLogFormat.class);
            registry = registries.apply(Optional.of(pluginsDir));
            for (PluginProblem p : registry.problems()) {
                if (p.fatal()) {
                    pluginProblems.add(new Problem(top.locate("pluginsDir"), "pluginsDir", p.toString()));
                }
            }
            List<WrapperConfig> configs = new ArrayList<>();
            List<Wrapper> wrappers = wrappers(configs);
            checkClashes(configs);
            Optional<AdminConfig> admin = admin(file);
            Settings settings = new Settings(file, logLevel, pluginsDir, user, group, allowRoot, grace, ioThreads, configs,
                    admin, accessLog);
            return new Configuration(settings, wrappers, registry, List.copyOf(warnings));
        }

        /** The {@code admin:} section; its token file is found beside the configuration file when relative. */
        private Optional<AdminConfig> admin(Path file) {
            if (top.raw("admin") == null) {
                return Optional.empty();
            }
            MapOptions a = ConfigKeys.ADMIN_SECTION.declare(top.section("admin"));
            String address = ConfigKeys.ADMIN_LISTEN_ADDR.string(a);
            if (!BackendAddress.isIpLiteral(address) || !BackendAddress.isValidHost(address)) {
                a.problem("listenAddr", "must be an IP address, e.g. 127.0.0.1");
            }
            int port = ConfigKeys.ADMIN_LISTEN_PORT.integer(a);
            Optional<Path> token = Optional.ofNullable(ConfigKeys.ADMIN_TOKEN_FILE.string(a))
                    .map(t -> file.toAbsolutePath().getParent().resolve(t));
            token.filter(t -> !Files.isReadable(t))
                    .ifPresent(t -> a.problem("tokenFile", t + ": no such file, or not readable"));
            return Optional.of(new AdminConfig(address, port, token));
        }

        /** Binds every wrapper; {@code configs} gets each one's settings, even when its plugins failed. */
        private List<Wrapper> wrappers(List<WrapperConfig> configs) {
            Object raw = top.required("wrappers");
            List<Wrapper> out = new ArrayList<>();
            if (raw == null) {
                return out;
            }
            if (!(raw instanceof List<?> list) || list.isEmpty()) {
                top.problem("wrappers", "must be a non-empty list of wrappers");
                return out;
            }
            for (int i = 0; i < list.size(); i++) {
                String path = "wrappers[" + i + "]";
                if (list.get(i) instanceof Map<?, ?> map) {
                    MapOptions w = ConfigKeys.WRAPPER.declare(top.sibling(MapOptions.stringKeys(map), path));
                    wrapper(w, configs).ifPresent(out::add);
                } else {
                    top.problemAt(path, "must be a map describing one wrapper");
                }
            }
            return out;
        }

        private Optional<Wrapper> wrapper(MapOptions w, List<WrapperConfig> configs) {
            String name = name(w);
            String protocol = ConfigKeys.PROTOCOL.string(w);
            if (protocol == null) {
                w.problem("protocol", "is required; choose one of: " + String.join(", ", registry.names(PluginKind.VALIDATOR)));
            }
            WrapperConfig.Listen listen = listen(w);
            DestType destType = ConfigKeys.DEST_TYPE.choice(w, DestType.class);
            int destPort = ConfigKeys.DEST_PORT.integer(w);
            List<BackendAddress> backends = destType == DestType.IP ? backends(w, destPort) : List.of();
            List<String> destCommand = w.strings("destCommand");
            checkDestination(w, destType, destCommand);
            String balancerName = ConfigKeys.BALANCER.string(w);
            Map<String, Object> balancerOptions = rawMap(w, "balancerOptions");
            int attempts = ConfigKeys.CONNECT_ATTEMPTS.integer(w);
            Optional<HealthCheckConfig> health = healthCheck(w);
            OptionalInt maxLineLength = w.has("maxLineLength")
                    ? OptionalInt.of(ConfigKeys.MAX_LINE_LENGTH.integer(w)) : OptionalInt.empty();
            boolean testReply = ConfigKeys.TEST_REPLY.bool(w);
            Map<String, Object> options = rawMap(w, "options");
            Timeouts timeouts = new Timeouts(
                    ConfigKeys.CONNECT_TIMEOUT.duration(w),
                    ConfigKeys.IDLE_TIMEOUT.duration(w),
                    ConfigKeys.REQUEST_TIMEOUT.duration(w),
                    ConfigKeys.SESSION_TIMEOUT.duration(w),
                    ConfigKeys.SERVER_TIMEOUT.duration(w),
                    ConfigKeys.SERVER_KEEP_ALIVE.duration(w));
            WrapperConfig.Limits limits = new WrapperConfig.Limits(ConfigKeys.MAX_CONNECTIONS.integer(w),
                    ConfigKeys.MAX_CONNECTIONS_PER_CLIENT.integer(w));

            Optional<ValidatorProvider> validatorProvider = plugin(w, ValidatorProvider.class, protocol);
            Map<String, RuleMode> rules = rules(w, validatorProvider);
            Optional<BalancerProvider> balancerProvider = destType == DestType.IP
                    ? plugin(w, BalancerProvider.class, balancerName)
                    : Optional.empty();
            ClientTls clientTls = TlsSections.requested(w);
            Optional<Validator> validator = validatorProvider.flatMap(p -> build(w, "protocol", "validator " + protocol,
                    () -> p.create(new ValidatorConfig(String.valueOf(name),
                            maxLineLength.orElse(ValidatorConfig.DEFAULT_MAX_LINE_LENGTH), testReply, rules,
                            w.section("options"), clientTls, maxLineLength.isPresent()))));
            if (clientTls == ClientTls.STARTTLS && validator.isPresent() && !validator.get().startsTls()) {
                w.problemAt(w.pathOf("tls") + ".mode", "starttls: the " + protocol + " validator has no command to start TLS; "
                        + "use mode: implicit (TLS from the first byte)");
            }
            Optional<TlsSections.LoadedClient> tls = tlsSections.client(String.valueOf(name), w,
                    validator.map(Validator::applicationProtocols).orElse(List.of()));
            Optional<TlsSections.LoadedBackend> destTls = tlsSections.backend(w);
            if (destTls.isPresent() && destType != DestType.IP) {
                w.problem("destTls", "is for TCP backends (destType: ip)");
            }
            WrapperConfig config = new WrapperConfig(name, listen,
                    new WrapperConfig.Destination(destType, backends, destCommand, balancerName, balancerOptions,
                            attempts, health, destTls.map(TlsSections.LoadedBackend::config)),
                    new WrapperConfig.Validation(protocol, maxLineLength, testReply, options, rules),
                    timeouts, limits, tls.map(TlsSections.LoadedClient::config), edgeSections.read(w));
            configs.add(config);
            Optional<Balancing> balancing = balancerProvider.flatMap(p -> balancing(w, p, balancerName, name, backends));
            if (validator.isEmpty() || (destType == DestType.IP && balancing.isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(new Wrapper(config, validator.get(), balancing,
                    tls.map(TlsSections.LoadedClient::tls), destTls.map(TlsSections.LoadedBackend::tls)));
        }

        private static String name(MapOptions w) {
            String name = ConfigKeys.NAME.string(w);
            if (name == null) {
                w.problem("name", "is required");
            } else if (!NAME.matcher(name).matches()) {
                w.problem("name", "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
            return name;
        }

        private static WrapperConfig.Listen listen(MapOptions w) {
            String listenAddr = ConfigKeys.LISTEN_ADDR.string(w);
            if (!HOST.matcher(listenAddr).matches() || !BackendAddress.isValidHost(listenAddr)) {
                w.problem("listenAddr", "\"" + listenAddr + "\" is not an IP address or host name");
            }
            int listenPort = ConfigKeys.LISTEN_PORT.integer(w);
            if (!w.has("listenPort")) {
                w.problem("listenPort", "is required");
            }
            return new WrapperConfig.Listen(listenAddr, listenPort);
        }

        /** The wrapper's one balancer, built over the backends it will be offered while the wrapper runs. */
        private Optional<Balancing> balancing(MapOptions w, BalancerProvider provider, String balancerName, String name,
                List<BackendAddress> backends) {
            List<BalancedBackend> handles = backends.stream().map(BalancedBackend::new).toList();
            return build(w, "balancer", "balancer " + balancerName,
                    () -> provider.create(new BalancerConfig(String.valueOf(name), List.copyOf(handles),
                            w.section("balancerOptions"))))
                    .map(balancer -> new Balancing(balancer, handles));
        }

        private <P extends Provider> Optional<P> plugin(MapOptions w, Class<P> service, String name) {
            if (name == null) {
                return Optional.empty();
            }
            PluginKind kind = PluginKind.of(service);
            Optional<P> found = registry.provider(service, name);
            List<String> names = registry.names(kind);
            // A name two providers share is reported once, as the fatal problem it is.
            if (found.isEmpty() && !names.contains(name)) {
                String guess = MapOptions.closest(name, names).map(n -> "did you mean " + n + "? ").orElse("");
                StringBuilder message = new StringBuilder("unknown " + kind.word() + " \"" + name + "\"; " + guess + "available: "
                        + (names.isEmpty() ? "none" : String.join(", ", names)) + " (run 'protowrap plugins' to list them)");
                for (PluginProblem p : registry.problems()) {
                    if (!p.fatal()) {
                        message.append("; note: ").append(p);
                    }
                }
                w.problem(kind.configKey(), message.toString());
            }
            return found;
        }

        private <T> Optional<T> build(MapOptions w, String key, String what, java.util.function.Supplier<T> create) {
            try {
                return Optional.of(create.get());
            } catch (OptionsException e) {
                e.problems().forEach(p -> pluginProblems.add(located(w, key, p)));
            } catch (RuntimeException | LinkageError e) {
                w.problem(key, what + " could not be created: " + e);
            }
            return Optional.empty();
        }

        /**
         * A plugin's problem that carries no location: its key is taken as relative to the wrapper
         * when it names a rule ({@code rules.x}) or is {@code maxLineLength}, otherwise to the
         * plugin's options section.
         */
        private static Problem located(MapOptions w, String pluginKey, Problem p) {
            if (!p.location().isEmpty()) {
                return p;
            }
            String section = pluginKey.equals("balancer") ? "balancerOptions" : "options";
            String path = p.key().startsWith("rules.") || p.key().startsWith(section + ".")
                    || p.key().equals("maxLineLength")
                    ? w.pathOf(p.key()) : w.pathOf(section + "." + p.key());
            return new Problem(w.locate(path), path, p.message());
        }

        private Map<String, RuleMode> rules(MapOptions w, Optional<ValidatorProvider> provider) {
            MapOptions section = w.section("rules");
            Map<String, RuleMode> modes = new LinkedHashMap<>();
            List<Rule> declared = provider.map(ValidatorProvider::rules).orElse(List.of());
            List<String> known = declared.stream().map(Rule::name).toList();
            for (String rule : section.keys()) {
                RuleMode mode = section.choice(rule, RuleMode.class, null);
                if (provider.isPresent() && !known.contains(rule)) {
                    section.problem(rule, "is not a rule of " + provider.get().name() + "; its rules are: "
                            + (known.isEmpty() ? "none" : String.join(", ", known)));
                } else if (mode != null && declared.stream().anyMatch(r -> r.name().equals(rule) && !r.accepts(mode))) {
                    section.problem(rule, "accepts only enforce, not " + mode.configName()
                            + " (" + provider.get().name() + " declares it enforce-only)");
                } else if (mode != null) {
                    modes.put(rule, mode);
                }
            }
            return modes;
        }

        private List<BackendAddress> backends(MapOptions w, int destPort) {
            Object raw = w.raw("destAddr");
            if (raw == null) {
                w.problem("destAddr", "is required with destType: ip (one address, or a list)");
                return List.of();
            }
            List<?> entries = raw instanceof List<?> list ? list : List.of(raw);
            if (entries.isEmpty()) {
                w.problem("destAddr", "must name at least one backend");
            }
            List<BackendAddress> out = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                String path = raw instanceof List<?> ? w.pathOf("destAddr") + "[" + i + "]" : w.pathOf("destAddr");
                backend(w, entries.get(i), path, destPort).ifPresent(out::add);
            }
            return out;
        }

        private Optional<BackendAddress> backend(MapOptions w, Object entry, String path, int destPort) {
            if (entry instanceof String s) {
                return hostPort(w, s, path, destPort, 0).map(hp -> new BackendAddress(hp.host, hp.port, 1, false, 0));
            }
            if (entry instanceof Map<?, ?> map) {
                MapOptions e = ConfigKeys.BACKEND.declare(w.sibling(MapOptions.stringKeys(map), path));
                String addr = ConfigKeys.BACKEND_ADDR.string(e);
                int port = ConfigKeys.BACKEND_PORT.integer(e);
                int weight = ConfigKeys.BACKEND_WEIGHT.integer(e);
                boolean backup = ConfigKeys.BACKEND_BACKUP.bool(e);
                int max = ConfigKeys.BACKEND_MAX_CONNECTIONS.integer(e);
                if (addr == null) {
                    e.problem("addr", "is required");
                    return Optional.empty();
                }
                return hostPort(w, addr, e.pathOf("addr"), destPort, port)
                        .map(hp -> new BackendAddress(hp.host, hp.port, weight, backup, max));
            }
            w.problemAt(path, "must be an address (host, host:port, [v6]:port) or a map with addr, port, weight, "
                    + "backup, maxConnections");
            return Optional.empty();
        }

        private record HostPort(String host, int port) {}

        private Optional<HostPort> hostPort(MapOptions w, String text, String path, int destPort, int explicitPort) {
            String host = text.trim();
            int port = explicitPort;
            var m = HOST_PORT.matcher(host);
            if (m.matches()) {
                host = m.group(1) != null ? m.group(1) : m.group(2);
                port = Integer.parseInt(m.group(3));
                if (port < 1 || port > 65535) {
                    w.problemAt(path, "port " + port + " is out of range 1..65535");
                    return Optional.empty();
                }
            }
            if (!HOST.matcher(host).matches() || !BackendAddress.isValidHost(host)) {
                w.problemAt(path, "\"" + text + "\" is not host, host:port or [v6]:port");
                return Optional.empty();
            }
            if (port == 0) {
                port = destPort;
            }
            if (port == 0) {
                w.problemAt(path, "\"" + text + "\" has no port, and destPort is not set");
                return Optional.empty();
            }
            return Optional.of(new HostPort(host, port));
        }

        private void checkDestination(MapOptions w, DestType destType, List<String> destCommand) {
            if (destType == DestType.PIPE) {
                if (destCommand.isEmpty()) {
                    w.problem("destCommand", "is required with destType: pipe (the program and its arguments)");
                }
                if (w.has("destAddr")) {
                    w.raw("destAddr");
                    w.problem("destAddr", "is only used with destType: ip");
                }
            } else if (w.has("destCommand")) {
                w.problem("destCommand", "is only used with destType: pipe");
            }
        }

        /** A plugin's section as plain data; the plugin itself reads it later through {@code section}. */
        private Map<String, Object> rawMap(MapOptions w, String key) {
            Object value = w.raw(key);
            if (value == null) {
                return Map.of();
            }
            if (value instanceof Map<?, ?> map) {
                return MapOptions.stringKeys(map);
            }
            w.problem(key, "must be a map of keys to values, not " + MapOptions.describe(value));
            return Map.of();
        }

        private Optional<HealthCheckConfig> healthCheck(MapOptions w) {
            if (w.raw("healthCheck") == null) {
                return Optional.empty();
            }
            MapOptions h = ConfigKeys.HEALTH_CHECK_SECTION.declare(w.section("healthCheck"));
            return Optional.of(new HealthCheckConfig(
                    positive(h, ConfigKeys.CHECK_INTERVAL),
                    positive(h, ConfigKeys.CHECK_TIMEOUT),
                    ConfigKeys.CHECK_RISE.integer(h),
                    ConfigKeys.CHECK_FALL.integer(h)));
        }

        /** A duration where {@code 0s} cannot mean "no limit": checks back to back, or failing at once. */
        private static Duration positive(MapOptions h, ConfigKey key) {
            Duration d = key.duration(h);
            if (d.isZero()) {
                h.problem(key.name(), "must be more than 0s");
                return (Duration) key.defaultValue();
            }
            return d;
        }

        private void checkClashes(List<WrapperConfig> wrappers) {
            Map<String, Integer> names = new HashMap<>();
            Map<Integer, List<Integer>> byPort = new HashMap<>();
            for (int i = 0; i < wrappers.size(); i++) {
                WrapperConfig w = wrappers.get(i);
                Integer first = w.name() == null ? null : names.putIfAbsent(w.name(), i);
                if (first != null) {
                    top.problemAt("wrappers[" + i + "].name", "\"" + w.name() + "\" is already the name of wrappers["
                            + first + "]");
                }
                if (w.listen().port() == 0) {
                    continue; // missing or out of range, and reported as such
                }
                for (int j : byPort.getOrDefault(w.listen().port(), List.of())) {
                    WrapperConfig other = wrappers.get(j);
                    if (overlaps(w.listen().addr(), other.listen().addr())) {
                        top.problemAt("wrappers[" + i + "].listenPort", w.listen().addr() + ":" + w.listen().port()
                                + " is already where wrappers[" + j + "] (" + other.name() + ") listens");
                    }
                }
                byPort.computeIfAbsent(w.listen().port(), k -> new ArrayList<>()).add(i);
            }
        }

        private static boolean overlaps(String a, String b) {
            return a.equals(b) || isWildcard(a) || isWildcard(b);
        }

        private static boolean isWildcard(String addr) {
            return addr.equals("0.0.0.0") || addr.equals("::") || addr.equals("*");
        }
    }
}
