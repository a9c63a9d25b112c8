package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The runtime image as a user gets it: its launcher, its bundled files, its built-in plugins. */
@Timeout(60)
class ImageIT {

    private static final Path IMAGE = Path.of(System.getProperty("protowrap.image", "target/protowrap"));

    record Result(int exit, String out, String err) {}

    static Result protowrap(String... args) throws IOException, InterruptedException {
        return protowrapWith(Map.of(), args);
    }

    static Result protowrapWith(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(IMAGE.resolve("bin/protowrap").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "protowrap " + String.join(" ", args) + " did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void hasTheFilesUsersRelyOn() {
        for (String file : List.of("bin/protowrap", "conf/protowrap.yaml", "conf/logback.xml", "plugins/README.md")) {
            assertTrue(Files.isRegularFile(IMAGE.resolve(file)), file + " is missing from the image");
        }
        assertTrue(Files.isExecutable(IMAGE.resolve("bin/protowrap")), "bin/protowrap is not executable");
    }

    @Test
    void listsTheBuiltInPlugins() throws Exception {
        Result r = protowrap("plugins");
        assertEquals(0, r.exit(), r.err());
        for (String name : List.of("line", "http", "smtp", "pop3", "roundrobin", "leastconn", "sourcehash", "random2")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(name + " ") && l.contains("built-in")),
                    name + " is not listed as built-in:\n" + r.out());
        }
    }

    @Test
    void theBundledConfigurationIsValid() throws Exception {
        Result r = protowrap("check", "--config", IMAGE.resolve("conf/protowrap.yaml").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("OK, 2 wrappers"), r.out());
    }

    @Test
    void printsItsVersion() throws Exception {
        Result r = protowrap("--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("protowrap 0."), r.out());
    }

    @Test
    void startsFromTheAheadOfTimeCacheMadeAtBuildTime() throws Exception {
        assertTrue(Files.isRegularFile(IMAGE.resolve("lib/protowrap.aot")), "lib/protowrap.aot is missing");
        // a cache the JVM rejects (options or modules differing from the training run) would
        // only make start-up slower, silently: the JVM's own log says whether it is used
        Result r = protowrapWith(Map.of("JAVA_OPTS", "-Xlog:aot=info"), "--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Using AOT-linked classes: true"), r.out());
        assertFalse(r.out().contains("[error]") || r.out().contains("[warning]"), r.out());
    }

    @Test
    void runsG1UnlessJavaOptsNameAnotherCollector() throws Exception {
        Result byDefault = protowrapWith(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "--version");
        assertEquals(0, byDefault.exit(), byDefault.err());
        assertTrue(byDefault.out().contains("-XX:+UseG1GC"), byDefault.out());
        // whitespace of any kind between options, and options that only look like a collector's
        Result serial = protowrapWith(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags\t-XX:+UseGCOverheadLimit\n-XX:+UseSerialGC"),
                "--version");
        assertEquals(0, serial.exit(), "a second collector would make the JVM refuse to start: " + serial.err());
        assertTrue(serial.out().contains("-XX:+UseSerialGC") && !serial.out().contains("-XX:+UseG1GC"), serial.out());
        Result notG1 = protowrapWith(Map.of("JAVA_OPTS", "-XX:-UseG1GC -XX:+UseParallelGC"), "--version");
        assertEquals(0, notG1.exit(), notG1.err());
        Result lookAlike = protowrapWith(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseGCOverheadLimit"), "--version");
        assertTrue(lookAlike.out().contains("-XX:+UseG1GC"), "not a collector's option: " + lookAlike.out());
    }

    @Test
    void rejectsAnUnknownCommandAsAUsageError() throws Exception {
        Result r = protowrap("frobnicate");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown command 'frobnicate'"), r.err());
    }

    @Test
    void checksABadConfigurationWithLineAndKey(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                wrappers:
                  - name: web
                    protocol: htp
                    listenPort: 8080
                    destAddr: 127.0.0.1:9001
                """);
        Result r = protowrap("check", "--config", config.toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("bad.yaml:3:5: wrappers[0].protocol: unknown validator \"htp\""), r.err());
    }

    @Test
    void anAliasIsRefusedByCheckAndRunNeverReadAsText(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path config = dir.resolve("alias.yaml");
        Files.writeString(config, """
                wrappers:
                  - name: web
                    protocol: http
                    listenPort: 8080
                    destAddr: 127.0.0.1:9001
                    options: {denyPaths: *deny}
                """);

        for (String command : List.of("check", "run")) {
            Result r = protowrap(command, "--config", config.toString());

            assertEquals(2, r.exit(), command + ": " + r.out());
            assertTrue(r.err().contains("alias.yaml:6:26: wrappers[0].options.denyPaths: is an alias (*deny)"),
                    command + ": " + r.err());
        }
    }
}
