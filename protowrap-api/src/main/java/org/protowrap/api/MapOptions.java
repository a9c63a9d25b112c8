package org.protowrap.api;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@link Options} over plain values (maps, lists, strings, numbers, booleans), as a YAML or JSON
 * parser gives them: what a test or an embedding builds a plugin's options with
 * ({@link #of}), and what the engine builds them with from its configuration file, with a locator
 * that maps a key path ({@code wrappers[0].listenPort}) to {@code file:line:column}. The methods
 * beyond {@link Options} read and report the engine's own keys the same way.
 */
public final class MapOptions implements Options {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|k|kib|kb|m|mib|mb|g|gib|gb)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final Map<String, ?> values;
    private final String path;
    private final Function<String, String> locator;
    private final List<Problem> problems;
    private final List<MapOptions> children;
    private final Set<String> read = new LinkedHashSet<>();

    private MapOptions(Map<String, ?> values, String path, Function<String, String> locator,
            List<Problem> problems, List<MapOptions> children) {
        this.values = values;
        this.path = path;
        this.locator = locator;
        this.problems = problems;
        this.children = children;
        children.add(this);
    }

    /** Options backed by plain values, without locations: for tests and embedding. */
    public static MapOptions of(Map<String, ?> values) {
        return root(values);
    }

    /** Options without locations, e.g. for tests. */
    public static MapOptions root(Map<String, ?> values) {
        return root(values, "options", p -> "");
    }

    /** Options whose problems are located by {@code locator} and collected in a new list. */
    public static MapOptions root(Map<String, ?> values, String path, Function<String, String> locator) {
        return new MapOptions(values, path, locator, new ArrayList<>(), new ArrayList<>());
    }

    /** A map found elsewhere in the same tree (a list element), sharing this tree's problem list. */
    public MapOptions sibling(Map<String, ?> values, String path) {
        return new MapOptions(values, path, locator, problems, children);
    }

    /** The path of a key in this section, as used in messages and by the locator. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Where a key path came from: {@code file:line:column}, or empty. */
    public String locate(String keyPath) {
        return locator.apply(keyPath);
    }

    /** The raw value of a key, marked read; a missing key is reported as required. */
    public Object required(String key) {
        Object v = raw(key);
        if (v == null) {
            problem(key, "is required");
        }
        return v;
    }

    /** The raw value of a key, or null when absent, marked read. */
    public Object raw(String key) {
        read.add(key);
        return values.get(key);
    }

    /** Records a problem at an arbitrary path of the tree (a list element). */
    public void problemAt(String keyPath, String message) {
        problems.add(new Problem(locator.apply(keyPath), keyPath, message));
    }

    /** Whether the key is present; asking marks it as a key of this section, read only when present. */
    @Override
    public boolean has(String key) {
        read.add(key);
        return values.containsKey(key);
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(values.keySet()));
    }

    @Override
    public void problem(String key, String message) {
        problemAt(pathOf(key), message);
    }

    @Override
    public List<Problem> problems() {
        List<Problem> all = new ArrayList<>(problems);
        for (MapOptions section : children) {
            all.addAll(section.unknownKeys());
        }
        return all;
    }

    private List<Problem> unknownKeys() {
        List<Problem> unknown = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                String valid = read.isEmpty() ? "none" : String.join(", ", read);
                String guess = closest(key, read).map(k -> "did you mean " + k + "? ").orElse("");
                unknown.add(new Problem(locator.apply(pathOf(key)), pathOf(key),
                        "unknown key; " + guess + "valid keys here: " + valid));
            }
        }
        return unknown;
    }

    /**
     * The known word a misspelt one most likely meant, for a "did you mean" hint: the same but for
     * case, or one edit away (two for a word of eight letters or more), where an edit inserts,
     * deletes or replaces a letter or swaps two neighbours.
     *
     * @param word what was written
     * @param known the words valid at that place
     * @return the nearest known word, or empty when none is that near
     */
    public static Optional<String> closest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = Math.min(2, Math.max(1, word.length() / 4)) + 1;
        for (String candidate : known) {
            int d = candidate.equalsIgnoreCase(word) ? 0
                    : distance(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Edits from a to b: insert, delete, replace, swap two neighbours (optimal string alignment). */
    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        problem(key, "must be true or false, not " + describe(v));
        return defaultValue;
    }

    @Override
    public int integer(String key, int defaultValue, int min, int max) {
        return (int) number(key, defaultValue, min, max);
    }

    @Override
    public long number(String key, long defaultValue, long min, long max) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof Integer || v instanceof Long || v instanceof BigInteger)) {
            problem(key, "must be a whole number, not " + describe(v));
            return defaultValue;
        }
        return inRange(key, new BigInteger(v.toString()), min, max, defaultValue);
    }

    @Override
    public long byteSize(String key, long defaultValue, long min, long max) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(v.toString().trim());
        if (v instanceof Boolean || !m.matches()) {
            problem(key, "must be a size such as 512, 64k or 1MiB, not " + describe(v));
            return defaultValue;
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k", "kib", "kb" -> 10;
            case "m", "mib", "mb" -> 20;
            default -> 30;
        };
        return inRange(key, new BigInteger(m.group(1)).shiftLeft(shift), min, max, defaultValue);
    }

    private long inRange(String key, BigInteger value, long min, long max, long defaultValue) {
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(key, value + " is out of range " + min + ".." + max);
            return defaultValue;
        }
        return value.longValue();
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Integer || v instanceof Long) {
            return Duration.ofSeconds(((Number) v).longValue());
        }
        Matcher m = v instanceof String s ? DURATION.matcher(s.trim()) : null;
        if (m == null || !m.matches() || m.group(1).length() > 12) {
            problem(key, "must be a duration such as 250ms, 30s, 5m or 1h, not " + describe(v));
            return defaultValue;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    @Override
    public String string(String key, String defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String s) {
            return s;
        }
        problem(key, "must be a string, not " + describe(v));
        return defaultValue;
    }

    @Override
    public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        // YAML 1.1 reads an unquoted off/on as a boolean; the word was meant.
        Object word = v instanceof Boolean b ? (b ? "on" : "off") : v;
        for (E constant : type.getEnumConstants()) {
            if (Options.configWord(constant).equals(word)) {
                return constant;
            }
        }
        String valid = java.util.Arrays.stream(type.getEnumConstants())
                .map(Options::configWord).collect(Collectors.joining(", "));
        // A boolean here was an unquoted word: echo the word, not what YAML made of it.
        problem(key, (v instanceof Boolean ? word : describe(v)) + " is not one of: " + valid);
        return defaultValue;
    }

    @Override
    public List<String> strings(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof String s) {
                    out.add(s);
                } else {
                    problemAt(pathOf(key) + "[" + i + "]", "must be a string, not " + describe(list.get(i)));
                }
            }
            return out;
        }
        problem(key, "must be a string or a list of strings, not " + describe(v));
        return List.of();
    }

    @Override
    public MapOptions section(String key) {
        Object v = raw(key);
        if (v == null) {
            return sibling(Map.of(), pathOf(key));
        }
        if (v instanceof Map<?, ?> map) {
            return sibling(stringKeys(map), pathOf(key));
        }
        problem(key, "must be a map of keys to values, not " + describe(v));
        return sibling(Map.of(), pathOf(key));
    }

    /** A map's keys as strings, in order. */
    public static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** How a value is named in messages: its text, and its type when that is the problem. */
    public static String describe(Object v) {
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        if (v instanceof Map<?, ?>) {
            return "a map";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(v);
    }
}
