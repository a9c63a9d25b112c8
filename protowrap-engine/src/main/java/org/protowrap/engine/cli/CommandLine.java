package org.protowrap.engine.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed command line: the command and its {@code --option value} pairs.
 *
 * @param command {@code run}, {@code check}, {@code status}, {@code plugins}, {@code demo}, {@code inetd},
 *     {@code version} or {@code help}
 * @param options option names without dashes, mapped to their values
 */
record CommandLine(String command, Map<String, String> options) {

    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "run", Set.of("config"),
            "check", Set.of("config"),
            "status", Set.of("config", "format"),
            "plugins", Set.of("plugins-dir"),
            "demo", Set.of("config"),
            "inetd", Set.of("config", "wrapper"),
            "version", Set.of(),
            "help", Set.of());

    static CommandLine parse(List<String> args) {
        if (args.isEmpty()) {
            throw new UsageException("no command given");
        }
        String command = switch (args.get(0)) {
            case "--version", "-V", "version" -> "version";
            case "--help", "-h", "help" -> "help";
            default -> args.get(0);
        };
        Set<String> allowed = ALLOWED.get(command);
        if (allowed == null) {
            throw new UsageException("unknown command '" + command + "'; commands: run, check, status, plugins, demo, inetd");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                value = null;
            }
            if (!allowed.contains(name)) {
                throw new UsageException("'" + command + "' does not take '" + arg + "'"
                        + (allowed.isEmpty() ? "" : "; it takes --" + String.join(", --", allowed)));
            }
            if (value == null) {
                throw new UsageException("--" + name + " needs a value");
            }
            options.put(name, value);
        }
        return new CommandLine(command, Map.copyOf(options));
    }

    Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    String required(String name) {
        return option(name).orElseThrow(() -> new UsageException("'" + command + "' needs --" + name));
    }
}
