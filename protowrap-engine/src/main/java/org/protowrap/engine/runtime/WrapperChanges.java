package org.protowrap.engine.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.protowrap.engine.config.BackendAddress;
import org.protowrap.engine.logging.DurationText;

/**
 * What a reload changed in a wrapper, as the log says it: {@code destAddr [a:1, b:1] -> [a:1,
 * c:1]}, one entry per setting that differs, by its key in the configuration file
 * ({@code idleTimeout 5m -> 10m}) and with values as the file writes them. Read from the settings'
 * record components, so a new setting shows up here without being listed.
 */
final class WrapperChanges {

    private WrapperChanges() {}

    /** The settings that differ between two values of one record type, each as {@code name before -> after}. */
    static List<String> between(Record before, Record after) {
        List<String> changes = new ArrayList<>();
        collect("", before, after, changes);
        return changes;
    }

    private static void collect(String prefix, Record before, Record after, List<String> changes) {
        for (RecordComponent component : before.getClass().getRecordComponents()) {
            Object a = value(component, before);
            Object b = value(component, after);
            if (Objects.equals(a, b)) {
                continue;
            }
            String name = prefix + component.getName();
            if (a instanceof Record ra && b instanceof Record rb && ra.getClass() == rb.getClass()) {
                collect(name + ".", ra, rb, changes);
            } else {
                changes.add(key(name) + " " + text(a) + " -> " + text(b));
            }
        }
    }

    /**
     * The configuration key of a component's dotted path: the groups {@link
     * org.protowrap.engine.config.WrapperConfig} nests its settings in have no key of their own.
     */
    static String key(String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return path;
        }
        String group = path.substring(0, dot);
        String name = path.substring(dot + 1);
        return switch (group) {
            case "listen" -> "listen" + capitalized(name);
            case "timeouts" -> name.equals("serverKeepAlive") ? name : name + "Timeout";
            case "destination" -> switch (name) {
                case "backends" -> "destAddr";
                case "type", "command", "tls" -> "dest" + capitalized(name);
                default -> name;
            };
            case "edge" -> name.equals("proxyTrusted") ? "proxyProtocol.trusted" : name;
            default -> name;
        };
    }

    private static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + record.getClass(), e);
        }
    }

    /** A value as the configuration would write it. */
    static String text(Object value) {
        return switch (value) {
            case Optional<?> o -> o.map(WrapperChanges::text).orElse("none");
            // the only one, maxLineLength, is unset when the validator's own limit applies
            case OptionalInt o -> o.isPresent() ? Integer.toString(o.getAsInt()) : "(protocol default)";
            case Duration d -> DurationText.of(d);
            case BackendAddress b -> backend(b);
            case Enum<?> e -> e.name().toLowerCase(Locale.ROOT);
            case Collection<?> c -> c.stream().map(WrapperChanges::text).collect(Collectors.joining(", ", "[", "]"));
            case Map<?, ?> m -> m.entrySet().stream().map(e -> e.getKey() + ": " + text(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
            case Record r -> "{" + fields(r) + "}";
            case null -> "none";
            default -> value.toString();
        };
    }

    private static String backend(BackendAddress b) {
        StringBuilder out = new StringBuilder(b.name());
        if (b.weight() != 1) {
            out.append(" weight ").append(b.weight());
        }
        if (b.backup()) {
            out.append(" backup");
        }
        if (b.maxConnections() != 0) {
            out.append(" maxConnections ").append(b.maxConnections());
        }
        return out.toString();
    }

    private static String fields(Record r) {
        List<String> parts = new ArrayList<>();
        for (RecordComponent component : r.getClass().getRecordComponents()) {
            parts.add(component.getName() + ": " + text(value(component, r)));
        }
        return String.join(", ", parts);
    }
}
