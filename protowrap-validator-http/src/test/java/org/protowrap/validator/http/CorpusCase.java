package org.protowrap.validator.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.protowrap.api.RuleMode;

/**
 * One case of the request corpus (see {@code src/test/resources/corpus/README.md}): what the
 * client sends, what the server answers, and what the wrapper must do.
 */
record CorpusCase(
        String name,
        String where,
        Map<String, Object> options,
        Map<String, RuleMode> rules,
        boolean testReply,
        byte[] send,
        byte[] server,
        byte[] forward,
        Verdict verdict,
        int status,
        String rule,
        boolean abort,
        List<String> logged) {

    /** What the wrapper does with the message. */
    enum Verdict { ACCEPT, REFUSE, CLOSE }

    @Override
    public String toString() {
        return name + " (" + where + ")";
    }

    /** Reads every case of a corpus file on the class path. */
    static List<CorpusCase> load(String resource) {
        try (InputStream in = CorpusCase.class.getResourceAsStream("/corpus/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no corpus file " + resource);
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<CorpusCase> parse(String file, String text) {
        List<CorpusCase> cases = new ArrayList<>();
        Builder current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].stripTrailing();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("=== ")) {
                if (current != null) {
                    cases.add(current.build());
                }
                current = new Builder(line.substring(4).trim(), file + ":" + (n + 1));
                continue;
            }
            if (current == null) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": a line before the first === case");
            }
            current.line(line, file + ":" + (n + 1));
        }
        if (current != null) {
            cases.add(current.build());
        }
        return cases;
    }

    private static final class Builder {
        private final String name;
        private final String where;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private final Map<String, RuleMode> rules = new LinkedHashMap<>();
        private final ByteArrayOutputStream send = new ByteArrayOutputStream();
        private final ByteArrayOutputStream server = new ByteArrayOutputStream();
        private final ByteArrayOutputStream forward = new ByteArrayOutputStream();
        private final List<String> logged = new ArrayList<>();
        private boolean forwardGiven;
        private boolean forwardAll;
        private boolean testReply = true;
        private Verdict verdict;
        private int status;
        private String rule = "";
        private boolean abort;

        Builder(String name, String where) {
            this.name = name;
            this.where = where;
        }

        void line(String line, String at) {
            int colon = line.indexOf(": ");
            if (colon < 0) {
                throw new IllegalArgumentException(at + ": expected 'key: value'");
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 2);
            switch (key) {
                case "send" -> send.writeBytes(Escapes.decode(value));
                case "server" -> server.writeBytes(Escapes.decode(value));
                case "forward" -> forward(value);
                case "option" -> option(value);
                case "rule" -> {
                    String[] kv = value.split("=", 2);
                    rules.put(kv[0].trim(), RuleMode.valueOf(kv[1].trim().toUpperCase(java.util.Locale.ROOT)));
                }
                case "testReply" -> testReply = Boolean.parseBoolean(value.trim());
                case "log" -> logged.add(value.trim());
                case "expect" -> expect(value.trim().split("\\s+"), at);
                default -> throw new IllegalArgumentException(at + ": unknown key " + key);
            }
        }

        private void forward(String value) {
            forwardGiven = true;
            if (value.equals("=send")) {
                forwardAll = true;
            } else {
                forward.writeBytes(Escapes.decode(value));
            }
        }

        private void option(String value) {
            String[] kv = value.split("=", 2);
            String v = kv[1].trim();
            Object parsed;
            if (v.equals("true") || v.equals("false")) {
                parsed = Boolean.parseBoolean(v);
            } else if (v.matches("\\d+")) {
                parsed = Integer.parseInt(v);
            } else if (v.startsWith("[") && v.endsWith("]")) {
                parsed = List.of(v.substring(1, v.length() - 1).split("\\s*,\\s*"));
            } else {
                parsed = v;
            }
            options.put(kv[0].trim(), parsed);
        }

        private void expect(String[] words, String at) {
            verdict = Verdict.valueOf(words[0].toUpperCase(java.util.Locale.ROOT));
            if (verdict == Verdict.REFUSE) {
                status = Integer.parseInt(words[1]);
                rule = words[2];
                abort = words.length > 3 && words[3].equals("abort");
            } else if (verdict == Verdict.CLOSE) {
                rule = words[1];
                abort = words.length > 2 && words[2].equals("abort");
            } else if (words.length != 1) {
                throw new IllegalArgumentException(at + ": 'expect: accept' takes no words");
            }
        }

        CorpusCase build() {
            if (verdict == null) {
                throw new IllegalArgumentException(where + ": case '" + name + "' has no expect line");
            }
            byte[] sent = send.toByteArray();
            byte[] forwarded = forwardAll || (!forwardGiven && verdict == Verdict.ACCEPT) ? sent : forward.toByteArray();
            return new CorpusCase(name, where, Map.copyOf(options), Map.copyOf(rules), testReply, sent,
                    server.toByteArray(), forwarded, verdict, status, rule, abort, List.copyOf(logged));
        }
    }
}
