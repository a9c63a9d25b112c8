package org.protowrap.api;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A plugin's {@code options:} section, read with types and limits. Every reader records a
 * {@link Problem} (naming file, line, column and key when the value came from a file) instead
 * of throwing, and returns the default, so that a plugin reads all its options and every
 * mistake is reported at once.
 *
 * <p>A key the plugin never reads is an unknown key: {@link #problems()} lists it with the keys
 * that were read as the valid choices. A plugin should therefore read all its options in
 * {@code create}. Not thread-safe; meant to be used while the plugin is created.
 */
public interface Options {

    /** {@code true} or {@code false}. */
    boolean bool(String key, boolean defaultValue);

    /** A whole number within {@code [min, max]}. */
    int integer(String key, int defaultValue, int min, int max);

    /** A whole number within {@code [min, max]}. */
    long number(String key, long defaultValue, long min, long max);

    /**
     * A size in bytes within {@code [min, max]}: a whole number, or a number with a unit
     * {@code k}, {@code KiB}, {@code m}, {@code MiB}, {@code g}, {@code GiB} (all powers of 1024).
     */
    long byteSize(String key, long defaultValue, long min, long max);

    /** A duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, or a whole number of seconds. */
    Duration duration(String key, Duration defaultValue);

    /** A string. */
    String string(String key, String defaultValue);

    /**
     * One of an enum's constants, written in lower case with {@code -} for {@code _}; a wrong
     * word is reported with the valid ones.
     */
    <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue);

    /** A list of strings; a single string is a list of one; absent is empty. */
    List<String> strings(String key);

    /** A nested map, read the same way; absent is an empty section. */
    Options section(String key);

    /** The keys present in this section, in file order. */
    Set<String> keys();

    /** Whether the key is present. */
    boolean has(String key);

    /** Records a problem the plugin found with a key's value (a bad pattern, a contradiction). */
    void problem(String key, String message);

    /** Every problem recorded so far in this tree of options, and every key present but never read. */
    List<Problem> problems();

    /** The word a configuration file uses for an enum constant. */
    static String configWord(Enum<?> constant) {
        return constant.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
