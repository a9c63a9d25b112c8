package org.protowrap.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.protowrap.engine.testing.Loopback;

/** Configuration files and free ports for the tests. */
final class TestConfig {

    private TestConfig() {}

    /** A port that was free a moment ago. */
    static int freePort() throws IOException {
        return Loopback.freePort();
    }

    /** Writes {@code yaml} as {@code protowrap.yaml} in {@code dir}. */
    static Path write(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("protowrap.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * One {@code line} wrapper on loopback. The process may be root in containers: the tests allow
     * it, since switching users is tested on its own.
     */
    static String lineWrapper(int listenPort, String destAddr, String extra) {
        return """
                allowRoot: true
                shutdownGrace: 5s
                wrappers:
                  - name: w
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: %s
                """.formatted(listenPort, destAddr) + extra.indent(4);
    }
}
