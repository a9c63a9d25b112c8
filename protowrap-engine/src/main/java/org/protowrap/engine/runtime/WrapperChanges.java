package org.protowrap.engine.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.protowrap.engine.config.BackendAddress;
import org.protowrap.engine.logging.DurationText;

/**
 * What a reload changed in a wrapper, as the log says it: {@code destAddr [a:1, b:1] -> [a:1,
 * c:1]}, one entry per setting that differs, nested settings by their dotted path
 * ({@code timeouts.idle 5m -> 10m}). Read from the settings' record components, so a new setting
 * shows up here without being listed.
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
                changes.add(name + " " + text(a) + " -> " + text(b));
            }
        }
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
            case Duration d -> DurationText.of(d);
            case BackendAddress b -> backend(b);
            case List<?> l -> l.stream().map(WrapperChanges::text).collect(Collectors.joining(", ", "[", "]"));
            case Record r -> fields(r);
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
