package org.protowrap.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Stream;
import org.protowrap.api.ClientTls;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.testkit.SessionCase.Sender;
import org.protowrap.testkit.SessionCase.Step;

/**
 * Sessions written in data files, replayed against a validator without I/O: once with every input
 * in one piece, then with each input cut at random points (seeded), each time insisting on the
 * same outputs. The format, one item per line (blank lines and {@code #} comments ignored, values
 * stripped; write a space that must end a value as {@code \x20}):
 *
 * <pre>
 * === name of the case             starts a case
 * option maxRecipients: 2          a validator option (true/false, a number, [a, b] a list, else a string)
 * rule smtp.data.bare-lf: log      a rule mode for this case (enforce, log, off)
 * use: name of an earlier case     begin with that case's steps, options, rules, tls and unsplit (same file)
 * tls starttls                     the wrapper's TLS mode towards clients (none, implicit, starttls; default none)
 * unsplit                          every input of the case arrives in one read, never cut
 *
 * S: 220 mx.example ESMTP\r\n      the server sends these bytes
 * C: EHLO client.example\r\n       the client sends these bytes
 * C1: STARTTLS\r\nNOOP\r\n         the client sends these bytes in one read, never cut
 * CE:                              the client ends its side
 *
 * &gt;: MAIL FROM:&lt;a@b.example&gt;\r\n   bytes the server must receive (several lines are concatenated)
 * &gt;: *                             the server receives the input as it is
 * &lt;: 250 2.1.0 Ok\r\n              bytes the client must receive (likewise; * for the input)
 * !: smtp.data.bare-lf enforce     a report: rule and mode, in order
 * =: close                         a control decision, in order: close, abort, raw, starttls
 * </pre>
 *
 * After each {@code S:}, {@code C:} or {@code CE:} come the outputs that input must produce, and
 * only those: no {@code >:} line means nothing may reach the server. Escapes in values:
 * {@code \r}, {@code \n}, {@code \t}, {@code \\}, {@code \xNN} (one byte) and {@code $(600*a)}
 * for 600 {@code a}s.
 *
 * <p>Inputs reach the session as {@link RecordingDecisions#fromClient} hands them, as the engine's
 * reads would: once the session closed, nothing more; once it relayed raw, the bytes go through
 * unseen. The engine reads nothing in plain text once a session started TLS, so a client input
 * that goes on after {@code starttls} fails the case when it was cut; bytes a client pipelines
 * behind the command are written with {@code C1:} (or the case is {@code unsplit}).
 */
public final class SessionCorpus {

    /** What a replayed session is told of its connection: wrapper {@code corpus}, a loopback client, id 1. */
    public static final SessionInfo INFO =
            new SessionInfo("corpus", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);

    /** The system property that sets the first seed of {@link #check(SessionCase, Function)}. */
    public static final String SEED_PROPERTY = "protowrap.testkit.seed";

    private SessionCorpus() {}

    /** Every case of every file in {@code dir} whose name ends with {@code suffix} ({@code .smtp}), files in name order. */
    public static List<SessionCase> load(Path dir, String suffix) {
        List<SessionCase> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList()) {
                all.addAll(loadFile(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    /** The cases of one file. */
    public static List<SessionCase> loadFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SessionCase> cases = new ArrayList<>();
        CaseBuilder current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = file.getFileName() + ":" + (i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("=== ")) {
                if (current != null) {
                    cases.add(current.build());
                }
                current = new CaseBuilder(line.substring(4).strip(), where);
            } else if (current == null) {
                throw new IllegalArgumentException(where + ": text before the first '=== name'");
            } else if (line.startsWith("use: ")) {
                String name = line.substring(5).strip();
                current.use(cases.stream().filter(c -> c.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(where + ": no earlier case named " + name)));
            } else {
                current.add(line, where, i + 1);
            }
        }
        if (current != null) {
            cases.add(current.build());
        }
        return cases;
    }

    /**
     * Replays {@code sessionCase} whole, then, unless the case is {@link SessionCase#unsplit},
     * {@code splitRuns} times cut at random points, with seeds from {@code seed} on; the first
     * disagreement throws an {@link AssertionError} that names the case, the line, the seed and
     * what differed.
     *
     * @param validators builds the validator under test from the case's configuration
     */
    public static void check(SessionCase sessionCase, Function<ValidatorConfig, Validator> validators, int splitRuns,
            long seed) {
        replay(sessionCase, validators, null, "unsplit");
        for (int i = 0; i < (sessionCase.unsplit() ? 0 : splitRuns); i++) {
            replay(sessionCase, validators, RandomGeneratorFactory.of("L64X128MixRandom").create(seed + i),
                    "split with seed " + (seed + i));
        }
    }

    /**
     * {@link #check} with 25 random splits and a seed taken from the case's name, or, to replay a
     * failure, from the system property {@value #SEED_PROPERTY}.
     */
    public static void check(SessionCase sessionCase, Function<ValidatorConfig, Validator> validators) {
        check(sessionCase, validators, 25, Long.getLong(SEED_PROPERTY, sessionCase.name().hashCode() * 31L + 25));
    }

    private static void replay(SessionCase c, Function<ValidatorConfig, Validator> validators, RandomGenerator random,
            String how) {
        ValidatorSession session = validators.apply(c.config()).newSession(INFO);
        RecordingDecisions out = new RecordingDecisions();
        session.onStart(out);
        for (Step step : c.steps()) {
            String where = c + " line " + step.line() + ", " + how + ": ";
            feed(session, step, out, random, where);
            RecordingDecisions.Snapshot got = out.take();
            same(show(step.toServer()), show(got.server()), where + "bytes at the server");
            same(show(step.toClient()), show(got.client()), where + "bytes at the client");
            same(step.reports(), got.reports().stream().map(SessionCorpus::describe).toList(), where + "reports");
            same(step.controls(), got.controls(), where + "controls");
        }
        same(0, out.ignored(), c + ", " + how + ": decisions made after close or raw relay");
    }

    private static void feed(ValidatorSession session, Step step, RecordingDecisions out, RandomGenerator random,
            String where) {
        if (step.sender() == Sender.CLIENT_END) {
            session.onClientEnd(out);
            return;
        }
        byte[] bytes = step.input().getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> reads = random == null || step.oneRead() ? Splits.whole(bytes) : Splits.random(bytes, random);
        long tlsStarts = tlsStarts(out);
        for (byte[] read : reads) {
            if (step.sender() == Sender.SERVER) {
                out.fromServer(session, read);
                continue;
            }
            if (tlsStarts(out) != tlsStarts) {
                throw new AssertionError(where + "client bytes in plain text after TLS started; bytes pipelined"
                        + " behind the command arrive in one read (C1:)");
            }
            out.fromClient(session, read);
        }
    }

    private static long tlsStarts(RecordingDecisions out) {
        return out.controls().stream().filter("starttls"::equals).count();
    }

    private static void same(Object expected, Object actual, String message) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(message + "\nexpected: " + expected + "\n     got: " + actual);
        }
    }

    private static String describe(Violation v) {
        return v.rule() + " " + v.mode().configName();
    }

    /** Line ends made visible, one line per protocol line, so that a failed comparison reads well. */
    private static String show(String s) {
        return s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n\n");
    }

    /**
     * {@code \r \n \t \\ \xNN} become the bytes they name, {@code $(600*a)} is 600 times
     * {@code a}; everything else is itself (ISO-8859-1).
     */
    public static String unescape(String s) {
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

    /** Collects one case's lines. */
    private static final class CaseBuilder {
        private final String name;
        private final String source;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private final Map<String, RuleMode> rules = new LinkedHashMap<>();
        private final List<Step> steps = new ArrayList<>();
        private ClientTls clientTls = ClientTls.NONE;
        private boolean unsplit;
        private StepBuilder step;

        CaseBuilder(String name, String source) {
            this.name = name;
            this.source = source;
        }

        void use(SessionCase prelude) {
            options.putAll(prelude.options());
            rules.putAll(prelude.rules());
            clientTls = prelude.clientTls();
            unsplit |= prelude.unsplit();
            steps.addAll(prelude.steps());
        }

        void add(String line, String where, int number) {
            if (line.startsWith("option ")) {
                String[] parts = keyValue(line.substring(7), where);
                options.put(parts[0], value(parts[1]));
                return;
            }
            if (line.startsWith("rule ")) {
                String[] parts = keyValue(line.substring(5), where);
                rules.put(parts[0], RuleMode.valueOf(parts[1].toUpperCase(Locale.ROOT)));
                return;
            }
            if (line.startsWith("tls ")) {
                clientTls = ClientTls.valueOf(line.substring(4).strip().toUpperCase(Locale.ROOT));
                return;
            }
            if (line.equals("unsplit")) {
                unsplit = true;
                return;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": expected 'tag: value', got " + line);
            }
            String tag = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (tag) {
                case "C", "C1", "S", "CE" -> {
                    finishStep();
                    Sender sender = switch (tag) {
                        case "C", "C1" -> Sender.CLIENT;
                        case "S" -> Sender.SERVER;
                        default -> Sender.CLIENT_END;
                    };
                    step = new StepBuilder(sender, unescape(value), number, tag.equals("C1"));
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

        private static String[] keyValue(String text, String where) {
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": expected 'key: value'");
            }
            return new String[] {text.substring(0, colon).strip(), text.substring(colon + 1).strip()};
        }

        private static Object value(String v) {
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
            return new SessionCase(name, source, Map.copyOf(options), Map.copyOf(rules), List.copyOf(steps), clientTls,
                    unsplit);
        }
    }

    /** Collects one step's expectations. */
    private static final class StepBuilder {
        private final Sender sender;
        private final String input;
        private final int line;
        private final boolean oneRead;
        private final StringBuilder toServer = new StringBuilder();
        private final StringBuilder toClient = new StringBuilder();
        private final List<String> reports = new ArrayList<>();
        private final List<String> controls = new ArrayList<>();

        StepBuilder(Sender sender, String input, int line, boolean oneRead) {
            this.sender = sender;
            this.input = input;
            this.line = line;
            this.oneRead = oneRead;
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
                    List.copyOf(controls), line, oneRead);
        }
    }
}
