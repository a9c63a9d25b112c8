package org.protowrap.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.protowrap.api.Problem;
import org.protowrap.api.RuleMode;
import org.protowrap.engine.plugin.PluginRegistry;

class ConfigLoaderTest {

    private static final Path HOME = Path.of("/opt/protowrap");
    private final ConfigLoader loader = new ConfigLoader(HOME, dir -> PluginRegistry.builtIn());

    private Configuration load(String yaml) {
        return loader.parse(Path.of("test.yaml"), yaml);
    }

    private List<Problem> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).problems();
    }

    private static final String MINIMAL = """
            wrappers:
              - name: mail
                protocol: line
                listenPort: 2525
                destAddr: 127.0.0.1:25
            """;

    @Test
    void aMinimalFileGetsTheDocumentedDefaults() {
        Configuration config = load(MINIMAL);

        Settings s = config.settings();
        assertEquals(2, s.logLevel());
        assertEquals(HOME.resolve("plugins"), s.pluginsDir());
        assertEquals(Optional.empty(), s.user());
        assertEquals(Duration.ofSeconds(30), s.shutdownGrace());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.ioThreads());
        WrapperConfig w = s.wrappers().get(0);
        assertEquals("0.0.0.0", w.listen().addr());
        assertEquals(DestType.IP, w.destination().type());
        assertEquals(List.of(new BackendAddress("127.0.0.1", 25, 1, false, 0)), w.destination().backends());
        assertEquals("roundrobin", w.destination().balancer());
        assertEquals(OptionalInt.empty(), w.validation().maxLineLength(), "the protocol's own limits apply");
        assertTrue(w.validation().testReply());
        assertEquals(new Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ZERO,
                Duration.ofSeconds(60), Duration.ofSeconds(1)),
                w.timeouts());
        assertEquals(Optional.empty(), w.destination().healthCheck());
    }

    @Test
    void destAddrTakesOneAddressOrAListOfFormsAndDestPortFillsMissingPorts() {
        Configuration config = load("""
                wrappers:
                  - name: web
                    protocol: line
                    listenPort: 8080
                    destPort: 80
                    destAddr:
                      - 10.0.0.5
                      - 10.0.0.6:8081
                      - "[2001:db8::1]:8082"
                      - "::1"
                      - backend.example
                      - {addr: 10.0.0.7, weight: 3, backup: true, maxConnections: 50}
                      - {addr: "[::1]:9090"}
                """);

        assertEquals(List.of(
                new BackendAddress("10.0.0.5", 80, 1, false, 0),
                new BackendAddress("10.0.0.6", 8081, 1, false, 0),
                new BackendAddress("2001:db8::1", 8082, 1, false, 0),
                new BackendAddress("::1", 80, 1, false, 0),
                new BackendAddress("backend.example", 80, 1, false, 0),
                new BackendAddress("10.0.0.7", 80, 3, true, 50),
                new BackendAddress("::1", 9090, 1, false, 0)),
                config.settings().wrappers().get(0).destination().backends());
        assertEquals("[2001:db8::1]:8082", config.settings().wrappers().get(0).destination().backends().get(2).name());
    }

    @Test
    void everyWrapperKeyIsRead() {
        String pluginsDir = System.getProperty("java.io.tmpdir");
        Configuration config = load("""
                logLevel: 3
                pluginsDir: %s
                user: nobody
                group: nogroup
                allowRoot: false
                shutdownGrace: 10s
                ioThreads: 3
                wrappers:
                  - name: mail
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: 2525
                    destType: pipe
                    destCommand: [/usr/sbin/server, -i]
                    maxLineLength: 1000
                    testReply: false
                    connectTimeout: 250ms
                    idleTimeout: 2m
                    requestTimeout: 20
                    sessionTimeout: 1h
                    serverTimeout: 90s
                    serverKeepAlive: 3s
                    maxConnections: 100
                    maxConnectionsPerClient: 5
                    connectAttempts: 2
                    healthCheck: {interval: 5s, rise: 3}
                    rules: {line.too-long: log}
                    options: {overlong: close}
                """.formatted(pluginsDir));
        Settings s = config.settings();
        assertEquals(Path.of(pluginsDir), s.pluginsDir());
        assertEquals(Optional.of("nobody"), s.user());
        assertEquals(Optional.of("nogroup"), s.group());
        assertEquals(3, s.ioThreads());
        WrapperConfig w = s.wrappers().get(0);
        assertEquals(DestType.PIPE, w.destination().type());
        assertEquals(List.of("/usr/sbin/server", "-i"), w.destination().command());
        assertEquals(OptionalInt.of(1000), w.validation().maxLineLength());
        assertEquals(new Timeouts(Duration.ofMillis(250), Duration.ofMinutes(2), Duration.ofSeconds(20), Duration.ofHours(1),
                Duration.ofSeconds(90), Duration.ofSeconds(3)),
                w.timeouts());
        assertEquals(Optional.of(new HealthCheckConfig(Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 3)),
                w.destination().healthCheck());
        assertEquals(Map.of("line.too-long", RuleMode.LOG), w.validation().rules());
        assertEquals(Map.of("overlong", "close"), w.validation().options());
        assertEquals(List.of(), w.destination().backends());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key            | bogus: 1                    | test.yaml:6:5: wrappers[0].bogus: unknown key; valid keys here: name, protocol
            wrong type             | listenAddr: [1, 2]          | test.yaml:6:5: wrappers[0].listenAddr: must be a string, not a list
            port out of range      | destPort: 70000             | test.yaml:6:5: wrappers[0].destPort: 70000 is out of range 1..65535
            bad duration           | idleTimeout: soon           | test.yaml:6:5: wrappers[0].idleTimeout: must be a duration such as 250ms, 30s, 5m or 1h, not "soon"
            bad choice             | destType: tcp               | test.yaml:6:5: wrappers[0].destType: "tcp" is not one of: ip, pipe
            bad boolean            | testReply: sometimes        | test.yaml:6:5: wrappers[0].testReply: must be true or false, not "sometimes"
            unknown balancer       | balancer: fastest           | test.yaml:6:5: wrappers[0].balancer: unknown balancer "fastest"; available: leastconn, random2, roundrobin, sourcehash
            misspelt balancer      | balancer: roundrobbin       | test.yaml:6:5: wrappers[0].balancer: unknown balancer "roundrobbin"; did you mean roundrobin? available: leastconn, random2
            misspelt section key   | 'healthCheck: {rsie: 2}'    | test.yaml:6:19: wrappers[0].healthCheck.rsie: unknown key; did you mean rise? valid keys here:
            unquoted on rule mode  | 'rules: {line.too-long: on}' | test.yaml:6:13: wrappers[0].rules.line.too-long: on is not one of: enforce, log, off
            unknown rule           | 'rules: {line.bogus: off}'  | test.yaml:6:13: wrappers[0].rules.line.bogus: is not a rule of line; its rules are: line.too-long
            bad rule mode          | 'rules: {line.too-long: x}' | test.yaml:6:13: wrappers[0].rules.line.too-long: "x" is not one of: enforce, log, off
            plugin option value    | 'options: {overlong: chop}' | test.yaml:6:15: wrappers[0].options.overlong: "chop" is not one of: truncate, reject, close
            plugin unknown option  | 'options: {color: red}'     | test.yaml:6:15: wrappers[0].options.color: unknown key; valid keys here: overlong, serverFirst
            command with ip        | 'destCommand: [x]'          | test.yaml:6:5: wrappers[0].destCommand: is only used with destType: pipe
            zero check interval    | 'healthCheck: {interval: 0s}' | test.yaml:6:19: wrappers[0].healthCheck.interval: must be more than 0s
            no such IPv4 address   | listenAddr: 300.1.1.1       | test.yaml:6:5: wrappers[0].listenAddr: "300.1.1.1" is not an IP address or host name
            no such IPv6 address   | 'listenAddr: "1::2::3"'     | test.yaml:6:5: wrappers[0].listenAddr: "1::2::3" is not an IP address or host name
            """)
    void aMistakeNamesFileLineColumnAndKey(String kind, String line, String expected) {
        List<Problem> problems = problems(MINIMAL + "    " + line + "\n");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().startsWith(expected), problems.get(0) + "\n  expected: " + expected);
    }

    @Test
    void maxLineLengthBelowWhatTheProtocolNeedsIsRefusedAtTheWrappersKey() {
        List<Problem> problems = problems("""
                wrappers:
                  - name: mail
                    protocol: smtp
                    listenPort: 2525
                    destAddr: 127.0.0.1:25
                    maxLineLength: 100
                  - name: web
                    protocol: http
                    listenPort: 8080
                    destAddr: 127.0.0.1:80
                    maxLineLength: 32
                """);
        assertEquals(List.of(
                "test.yaml:6:5: wrappers[0].maxLineLength: 100 is below 512, the least SMTP command lines may be "
                        + "(RFC 5321 section 4.5.3.1.4)",
                "test.yaml:11:5: wrappers[1].maxLineLength: 32 is below 64, the least HTTP request and field lines "
                        + "may be (this validator's least maxRequestLine and maxFieldLine)"),
                problems.stream().map(Problem::toString).toList());
    }

    @Test
    void missingRequiredKeysAreNamed() {
        List<Problem> problems = problems("""
                wrappers:
                  - name: web
                    listenAddr: 127.0.0.1
                """);
        assertEquals(List.of(
                "test.yaml:2:5: wrappers[0].protocol: is required; choose one of: http, line, smtp",
                "test.yaml:2:5: wrappers[0].listenPort: is required",
                "test.yaml:2:5: wrappers[0].destAddr: is required with destType: ip (one address, or a list)"),
                problems.stream().map(Problem::toString).toList());
    }

    @Test
    void wrappersAreRequired() {
        List<Problem> problems = problems("logLevel: 2\n");
        assertEquals("test.yaml:1:1: wrappers: is required", problems.get(0).toString());
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        List<Problem> problems = problems("""
                logLevel: 9
                ioThreads: 0
                wrappers:
                  - name: a
                    protocol: line
                    listenPort: 2525
                    destAddr: 127.0.0.1
                  - name: a
                    protocol: nope
                    listenAddr: 127.0.0.1
                    listenPort: 2525
                    destAddr: "host:99999"
                extra: true
                """);
        assertEquals(List.of(
                "test.yaml:1:1: logLevel: 9 is out of range 0..5",
                "test.yaml:2:1: ioThreads: 0 is out of range 1..256",
                "test.yaml:7:5: wrappers[0].destAddr: \"127.0.0.1\" has no port, and destPort is not set",
                "test.yaml:8:5: wrappers[1].name: \"a\" is already the name of wrappers[0]",
                "test.yaml:9:5: wrappers[1].protocol: unknown validator \"nope\"; available: http, line, smtp (run 'protowrap plugins' to list them)",
                "test.yaml:11:5: wrappers[1].listenPort: 127.0.0.1:2525 is already where wrappers[0] (a) listens",
                "test.yaml:12:5: wrappers[1].destAddr: port 99999 is out of range 1..65535",
                "test.yaml:13:1: extra: unknown key; valid keys here: logLevel, pluginsDir, user, group, allowRoot, shutdownGrace, ioThreads, accessLog, wrappers, admin"),
                problems.stream().map(Problem::toString).toList());
    }

    @Test
    void aMisspeltProtocolGetsAGuessBesideTheChoices() {
        List<String> problems = messages(MINIMAL.replace("protocol: line", "protocol: smpt"));
        assertEquals(List.of("test.yaml:3:5: wrappers[0].protocol: unknown validator \"smpt\"; did you mean smtp? "
                + "available: http, line, smtp (run 'protowrap plugins' to list them)"), problems);
    }

    @Test
    void aKeyGivenTwiceIsAnError() {
        List<Problem> problems = problems(MINIMAL + "    listenPort: 2526\n");
        assertEquals("test.yaml:6:5: wrappers[0].listenPort: is given twice in the same map", problems.get(0).toString());
    }

    @Test
    void aSyntaxErrorNamesLineAndColumn() {
        List<Problem> problems = problems("wrappers:\n  - name: [unclosed\n");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).location().equals("test.yaml:2:11"), problems.get(0).toString());
    }

    @Test
    void pipeNeedsACommandAndTakesNoAddress() {
        List<Problem> problems = problems(MINIMAL + "    destType: pipe\n");
        assertEquals(List.of(
                "test.yaml:2:5: wrappers[0].destCommand: is required with destType: pipe (the program and its arguments)",
                "test.yaml:5:5: wrappers[0].destAddr: is only used with destType: ip"),
                problems.stream().map(Problem::toString).toList());
    }

    @Test
    void aLoaderForReloadsKeepsThePluginsItWasGivenWhateverPluginsDirSays() {
        PluginRegistry running = PluginRegistry.builtIn();
        String elsewhere = "pluginsDir: " + System.getProperty("java.io.tmpdir") + "\n";
        Configuration reloaded = loader.withPlugins(running).parse(Path.of("test.yaml"), elsewhere + MINIMAL);
        assertSame(running, reloaded.registry());
        assertNotSame(running, load(elsewhere + MINIMAL).registry(), "a plain loader loads its own");
    }

    @Test
    void aBackendWrittenAsAnAddressMustBeOne() {
        List<Problem> problems = problems(MINIMAL.replace("127.0.0.1:25", "300.1.1.1:25"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("\"300.1.1.1:25\" is not host, host:port or [v6]:port"),
                problems.toString());
    }
    private static final String HTTP = """
            wrappers:
              - name: web
                protocol: http
                listenPort: 8080
                destAddr: 127.0.0.1:80
            """;

    private List<String> messages(String yaml) {
        return problems(yaml).stream().map(Problem::toString).toList();
    }

    @Test
    void anAliasIsRefusedWhereItStandsNeverReadAsItsAnchorsName() {
        List<String> problems = messages("""
                deny: &deny ['^/admin']
                wrappers:
                  - name: web
                    protocol: http
                    listenPort: 8080
                    destAddr: 127.0.0.1:80
                    options: {denyPaths: *deny}
                """);
        assertEquals(List.of(
                "test.yaml:1:7: deny: has an anchor (&deny); anchors and aliases are not supported: write the value out where it is used",
                "test.yaml:7:26: wrappers[0].options.denyPaths: is an alias (*deny); aliases and anchors are not supported: write the value out"),
                problems);
    }

    @Test
    void mergeKeysAndTagsAreRefusedWithTheirLocation() {
        assertEquals(List.of("test.yaml:6:5: wrappers[0].<<: merge keys (<<) are not supported: write the keys out"),
                messages(HTTP + "    <<: {idleTimeout: 5s}\n"));
        for (String tag : List.of("!secret", "!!str", "!<tag:example.org,2026:x>")) {
            List<String> problems = messages(HTTP + "    idleTimeout: " + tag + " 5s\n");
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("test.yaml:6:") && problems.get(0).contains(
                    "wrappers[0].idleTimeout: has a tag ("), problems.get(0));
        }
    }

    @Test
    void tabIndentationIsOneLineAtTheTabWithAHint() {
        List<String> problems = messages("wrappers:\n  - name: web\n\tprotocol: line\n");
        assertEquals(1, problems.size(), problems.toString());
        String p = problems.get(0);
        assertTrue(p.startsWith("test.yaml:3:1: (syntax): "), p);
        assertTrue(p.contains("tabs are not allowed for indentation"), p);
        assertFalse(p.contains("\n"), p);
    }

    @Test
    void anUnclosedBracketIsOneLineNamingWhereItOpened() {
        List<String> problems = messages(HTTP + "    destCommand: [a, b\n    listenAddr: 127.0.0.1\n");
        assertEquals(1, problems.size(), problems.toString());
        String p = problems.get(0);
        assertTrue(p.startsWith("test.yaml:6:18: (syntax): this '[' is not closed"), p);
        assertTrue(p.contains("line 7, column 15"), p);
        assertFalse(p.contains("\n"), p);
    }

    @Test
    void oversizeInputIsRefusedBeforeItIsParsed() {
        String scalar = "x".repeat(5 << 20);
        long start = System.nanoTime();
        List<String> problems = messages(HTTP + "    name2: " + scalar + "\n");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("test.yaml: (file): is "), problems.get(0));
        assertTrue(problems.get(0).contains("at most 2097152 (2 MiB)"), problems.get(0));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused without parsing it");
        List<String> longLine = messages(HTTP + "    name2: " + "x".repeat(100_000) + "\n");
        assertEquals(List.of("test.yaml:6:1: (file): line 6 has 100011 characters; a line may have at most 65536"), longLine);
    }

    @ParameterizedTest
    @CsvSource({"0", "70000", "-1"})
    void aListenPortOutOfRangeIsOnlyThatProblem(String port) {
        List<String> problems = messages(MINIMAL.replace("2525", port) + MINIMAL.replace("wrappers:\n", "")
                .replace("mail", "mail2").replace("2525", port));
        assertEquals(2, problems.size(), problems.toString());
        problems.forEach(p -> assertTrue(p.contains("is out of range 1..65535"), p));
    }

    @Test
    void aRuleModeAValidatorRefusesIsLocatedAndPrefixed() {
        List<String> problems = messages(HTTP + "    rules: {http.te.unknown: off}\n");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("test.yaml:6:13: wrappers[0].rules.http.te.unknown: "), problems.get(0));
    }

    @Test
    void theValidKeysHintListsKeysReadOnlyWhenPresentAndGuessesANearMiss() {
        String typo = messages(HTTP + "    options: {maxBodySise: 1m}\n").get(0);
        assertTrue(typo.contains("unknown key; did you mean maxBodySize? valid keys here: "), typo);
        assertTrue(typo.contains("methods") && typo.contains("upgradeProtocols"), typo);
        String wrapper = messages(HTTP + "    destport: 80\n").get(0);
        assertTrue(wrapper.startsWith("test.yaml:6:5: wrappers[0].destport: unknown key; did you mean destPort? "), wrapper);
    }

    @Test
    void eachListOfChoicesIsNamedOnce() {
        List<String> problems = messages(HTTP + "    rules: {http.one: off, http.two: off, http.three: off}\n");
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("its rules are: http."), problems.get(0));
        for (String later : problems.subList(1, 3)) {
            assertTrue(later.endsWith("its rules are: see test.yaml:6:13"), later);
        }
    }
}
