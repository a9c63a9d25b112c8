package org.protowrap.validator.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorConfig;

/**
 * One SMTP session of the corpus: the options, the bytes each side sends in turn, and what
 * must come out after each. The file format is described in {@code corpus/README.md}.
 */
record SessionCase(String name, String source, Map<String, Object> options, Map<String, RuleMode> rules,
        List<Step> steps) {

    /** Who sends: the client, the server, or the client ends its side. */
    enum Sender { CLIENT, SERVER, CLIENT_END }

    /**
     * One input and what it must produce.
     *
     * @param toServer expected bytes at the server
     * @param toClient expected bytes at the client
     */
    record Step(Sender sender, String input, String toServer, String toClient, List<String> reports,
            List<String> controls, int line) {}

    ValidatorConfig config() {
        return new ValidatorConfig("corpus", 512, true, rules, MapOptions.of(options));
    }

    @Override
    public String toString() {
        return name + " (" + source + ")";
    }

    static List<SessionCase> load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<SessionCase> cases = new ArrayList<>();
        Builder current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int number = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("=== ")) {
                if (current != null) {
                    cases.add(current.build());
                }
                current = new Builder(line.substring(4).strip(), file.getFileName() + ":" + number);
                continue;
            }
            if (current == null) {
                throw new IllegalArgumentException(file + ":" + number + ": text before the first '=== name'");
            }
            if (line.startsWith("use: ")) {
                current.use(find(cases, line.substring(5).strip(), file.getFileName() + ":" + number));
                continue;
            }
            current.add(line, file.getFileName() + ":" + number, number);
        }
        if (current != null) {
            cases.add(current.build());
        }
        return cases;
    }

    private static SessionCase find(List<SessionCase> earlier, String name, String where) {
        return earlier.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(where + ": no earlier case named " + name));
    }

    /** Collects one case's lines. */
    private static final class Builder {
        private final String name;
        private final String source;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private final Map<String, RuleMode> rules = new LinkedHashMap<>();
        private final List<Step> steps = new ArrayList<>();
        private StepBuilder step;

        Builder(String name, String source) {
            this.name = name;
            this.source = source;
        }

        /** Starts with another case's steps, options and rules, as a prelude. */
        void use(SessionCase prelude) {
            options.putAll(prelude.options());
            rules.putAll(prelude.rules());
            steps.addAll(prelude.steps());
        }

        void add(String line, String where, int number) {
            if (line.startsWith("option ")) {
                option(line.substring(7), where);
                return;
            }
            if (line.startsWith("rule ")) {
                String[] parts = line.substring(5).split(":\\s*", 2);
                rules.put(parts[0].strip(), RuleMode.valueOf(parts[1].strip().toUpperCase(java.util.Locale.ROOT)));
                return;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": expected 'tag: value', got " + line);
            }
            String tag = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (tag) {
                case "C", "S", "CE" -> {
                    finishStep();
                    Sender sender = tag.equals("C") ? Sender.CLIENT : tag.equals("S") ? Sender.SERVER : Sender.CLIENT_END;
                    step = new StepBuilder(sender, unescape(value), number);
                }
                case ">", "<", "!", "=" -> {
                    if (step == null) {
                        throw new IllegalArgumentException(where + ": an expectation before any C: or S: line");
                    }
                    step.expect(tag, value);
                }
                default -> throw new IllegalArgumentException(where + ": unknown tag " + tag);
            }
        }

        private void option(String value, String where) {
            int colon = value.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": expected 'option key: value'");
            }
            options.put(value.substring(0, colon).strip(), parseValue(value.substring(colon + 1).strip()));
        }

        private static Object parseValue(String v) {
            if (v.equals("true") || v.equals("false")) {
                return Boolean.valueOf(v);
            }
            if (v.matches("-?[0-9]{1,9}")) {
                return Integer.valueOf(v);
            }
            if (v.startsWith("[") && v.endsWith("]")) {
                List<String> items = new ArrayList<>();
                for (String item : v.substring(1, v.length() - 1).split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.strip());
                    }
                }
                return items;
            }
            return v;
        }

        private void finishStep() {
            if (step != null) {
                steps.add(step.build());
                step = null;
            }
        }

        SessionCase build() {
            finishStep();
            return new SessionCase(name, source, Map.copyOf(options), Map.copyOf(rules), List.copyOf(steps));
        }
    }

    /** Collects one step's expectations. */
    private static final class StepBuilder {
        private final Sender sender;
        private final String input;
        private final int line;
        private final StringBuilder toServer = new StringBuilder();
        private final StringBuilder toClient = new StringBuilder();
        private final List<String> reports = new ArrayList<>();
        private final List<String> controls = new ArrayList<>();

        StepBuilder(Sender sender, String input, int line) {
            this.sender = sender;
            this.input = input;
            this.line = line;
        }

        void expect(String tag, String value) {
            switch (tag) {
                case ">" -> toServer.append(value.equals("*") ? input : unescape(value));
                case "<" -> toClient.append(value.equals("*") ? input : unescape(value));
                case "!" -> reports.add(value.replaceAll("\\s+", " "));
                default -> controls.add(value);
            }
        }

        Step build() {
            return new Step(sender, input, toServer.toString(), toClient.toString(), List.copyOf(reports),
                    List.copyOf(controls), line);
        }
    }

    /**
     * {@code \r \n \t \\ \xNN} become the bytes they name, {@code $(600*a)} is 600 times
     * {@code a}; everything else is itself (ISO-8859-1).
     */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (s.startsWith("$(", i)) {
                int end = s.indexOf(')', i);
                String[] spec = s.substring(i + 2, end).split("\\*", 2);
                out.repeat(spec[1], Integer.parseInt(spec[0]));
                i = end;
                continue;
            }
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case 'x' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + s);
            }
        }
        return out.toString();
    }
}
