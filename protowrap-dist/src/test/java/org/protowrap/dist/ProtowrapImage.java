package org.protowrap.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The runtime image under test, started the way an operator starts it: {@code bin/protowrap run}. */
final class ProtowrapImage {

    static final Path HOME = Path.of(System.getProperty("protowrap.image", "target/protowrap"));

    private ProtowrapImage() {}

    static Path launcher() {
        return HOME.resolve("bin/protowrap");
    }

    /**
     * Writes {@code yaml} to {@code dir/protowrap.yaml}, starts {@code bin/protowrap run} on it
     * (log in {@code dir/protowrap.log}), and waits until every given port accepts connections.
     * Configurations for tests should say {@code allowRoot: true}: CI runs as root.
     */
    static ExternalProcess run(Path dir, String yaml, int... listenPorts) throws IOException, InterruptedException {
        return run(dir, yaml, Map.of(), listenPorts);
    }

    /** {@link #run(Path, String, int...)} with {@code environment} added to the test's own. */
    static ExternalProcess run(Path dir, String yaml, Map<String, String> environment, int... listenPorts)
            throws IOException, InterruptedException {
        Path config = dir.resolve("protowrap.yaml");
        Files.writeString(config, yaml);
        List<String> command = new ArrayList<>(List.of(launcher().toString(), "run", "--config", config.toString()));
        ExternalProcess process = ExternalProcess.start("protowrap", dir, command, environment);
        for (int port : listenPorts) {
            process.awaitPort(port);
        }
        return process;
    }
}
