package org.protowrap.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code protowrap check} and {@code protowrap plugins} through the real main class: what the operator reads. */
class CheckCommandTest {

    @TempDir
    Path home;

    private record Outcome(int exit, String out, String err) {}

    private static Outcome main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String yaml) throws Exception {
        Path file = home.resolve("protowrap.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static final String WRAPPER = """
            wrappers:
              - name: w
                protocol: line
                listenPort: 7001
                destAddr: 127.0.0.1:7002
            """;

    @Test
    void pluginsWithAMissingFolderSaysSoAndExitsTwo() {
        Path absent = home.resolve("no-such-plugins");
        Outcome o = main("plugins", "--plugins-dir", absent.toString());
        assertEquals(Main.USAGE, o.exit());
        assertTrue(o.err().contains(absent + ": no such folder"), o.err());
    }

    @Test
    void checkRefusesAnUnknownUserAndGroupAsRunWould() throws Exception {
        Path file = write("user: no-such-user-here\ngroup: no-such-group-here\n" + WRAPPER);
        Outcome o = main("check", "--config", file.toString());
        assertEquals(Main.USAGE, o.exit(), o.out());
        assertTrue(o.err().contains(file + ":1:1: user: user 'no-such-user-here' does not exist"), o.err());
        assertTrue(o.err().contains(file + ":2:1: group: group 'no-such-group-here' does not exist"), o.err());
    }

    @Test
    void checkRefusesAPluginsDirThatDoesNotExist() throws Exception {
        Path missing = home.resolve("missing-plugins");
        Path file = write("pluginsDir: " + missing + "\n" + WRAPPER);
        Outcome o = main("check", "--config", file.toString());
        assertEquals(Main.USAGE, o.exit(), o.out());
        assertTrue(o.err().contains(file + ":1:1: pluginsDir: " + missing + ": no such folder"), o.err());
    }

    @Test
    void aMissingConfigurationFileGetsAPlainMessage() {
        Path absent = home.resolve("absent.yaml");
        Outcome o = main("check", "--config", absent.toString());
        assertEquals(Main.USAGE, o.exit());
        assertTrue(o.err().contains(absent + ": (file): no such file"), o.err());
        assertFalse(o.err().contains("java."), o.err());
    }
}
