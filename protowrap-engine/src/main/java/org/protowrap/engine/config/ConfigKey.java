package org.protowrap.engine.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;

/**
 * One configuration key, declared once: its name, its type, its default (as read and as the
 * README writes it), its range or choices, and one line saying what it is. The loader reads and
 * checks the key's value through its declaration, the "valid keys" hints list the declared keys,
 * and a test holds the README's configuration tables to the declarations.
 *
 * <p>Keys whose value is a list or a map (backends, access lists, sections) are declared with
 * {@link #structured}: their shape is checked by the code that reads them, but their name,
 * default and description live here like the others.
 *
 * @param name the key as written in the file
 * @param type {@code integer}, {@code boolean}, {@code duration}, {@code string}, {@code choice},
 *     {@code list} or {@code map}
 * @param defaultValue what the loader uses when the key is absent; {@code null} for none
 * @param documented the default as the README's tables write it: {@code `512`}, {@code none},
 *     {@code required}...
 * @param range {@code min..max} for an integer, the words for a choice, empty otherwise
 * @param description one line: what the key sets
 * @param min the smallest integer accepted
 * @param max the largest integer accepted
 * @param choices the enum whose words a choice accepts, or {@code null}
 */
public record ConfigKey(String name, String type, Object defaultValue, String documented, String range,
        String description, long min, long max, Class<? extends Enum<?>> choices) {

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(documented, "documented");
        Objects.requireNonNull(description, "description");
    }

    /** A whole number in {@code [min, max]}, documented as its default. */
    static ConfigKey integer(String name, int defaultValue, int min, int max, String description) {
        return integer(name, defaultValue, min, max, "`" + defaultValue + "`", description);
    }

    /** A whole number in {@code [min, max]} whose default is written in words ({@code required}, {@code none}). */
    static ConfigKey integer(String name, int defaultValue, int min, int max, String documented, String description) {
        return new ConfigKey(name, "integer", defaultValue, documented, min + ".." + max, description, min, max, null);
    }

    static ConfigKey bool(String name, boolean defaultValue, String description) {
        return new ConfigKey(name, "boolean", defaultValue, "`" + defaultValue + "`", "", description, 0, 0, null);
    }

    /** A duration, documented as written: {@code 30s}. */
    static ConfigKey duration(String name, Duration defaultValue, String written, String description) {
        return new ConfigKey(name, "duration", defaultValue, "`" + written + "`", "", description, 0, 0, null);
    }

    /** A string; {@code defaultValue} null when absent means none. */
    static ConfigKey string(String name, String defaultValue, String documented, String description) {
        return new ConfigKey(name, "string", defaultValue, documented, "", description, 0, 0, null);
    }

    /** One of an enum's words. */
    static <E extends Enum<E>> ConfigKey choice(String name, Class<E> type, E defaultValue, String description) {
        String words = Arrays.stream(type.getEnumConstants()).map(Options::configWord).collect(Collectors.joining(", "));
        return new ConfigKey(name, "choice", defaultValue,
                defaultValue == null ? "none" : "`" + Options.configWord(defaultValue) + "`", words, description, 0, 0,
                type);
    }

    /** A list or a map, read by the code that knows its shape. */
    static ConfigKey structured(String name, String type, String documented, String description) {
        return new ConfigKey(name, type, null, documented, "", description, 0, 0, null);
    }

    int integer(MapOptions section) {
        return integer(section, (Integer) defaultValue);
    }

    /** The value, or {@code defaultValue} when absent: for a default that depends on another key. */
    int integer(MapOptions section, int defaultValue) {
        expect("integer");
        return section.integer(name, defaultValue, (int) min, (int) max);
    }

    boolean bool(MapOptions section) {
        expect("boolean");
        return section.bool(name, (Boolean) defaultValue);
    }

    Duration duration(MapOptions section) {
        expect("duration");
        return section.duration(name, (Duration) defaultValue);
    }

    String string(MapOptions section) {
        expect("string");
        return section.string(name, (String) defaultValue);
    }

    <E extends Enum<E>> E choice(MapOptions section, Class<E> type) {
        expect("choice");
        if (type != choices) {
            throw new IllegalArgumentException(name + " is a choice of " + choices.getSimpleName());
        }
        return section.choice(name, type, type.cast(defaultValue));
    }

    private void expect(String wanted) {
        if (!type.equals(wanted)) {
            throw new IllegalArgumentException(name + " is declared as " + type + ", not " + wanted);
        }
    }
}
