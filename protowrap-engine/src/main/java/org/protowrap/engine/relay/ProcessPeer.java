package org.protowrap.engine.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code destType: pipe} backend: the configured program, started for one connection and
 * spoken to on its standard input and output. Its standard error goes to the log, line by line,
 * at WARN. When the connection ends the program is asked to stop (SIGTERM), killed after
 * {@link #GRACE} if it has not (at once when the connection is aborted), and reaped.
 */
final class ProcessPeer extends StreamPeer {

    private static final Logger log = LoggerFactory.getLogger(ProcessPeer.class);
    static final Duration GRACE = Duration.ofSeconds(2);

    private final Process process;

    private ProcessPeer(EventLoop loop, PeerEvents events, Process process, String description) {
        super(loop, events, process.getInputStream(), process.getOutputStream(), description);
        this.process = process;
    }

    static ProcessPeer start(EventLoop loop, PeerEvents events, List<String> command, String wrapper, long connection)
            throws IOException {
        Process process = new ProcessBuilder(command).start();
        ProcessPeer peer = new ProcessPeer(loop, events, process, String.join(" ", command));
        peer.start();
        Thread.ofVirtual().name("protowrap-stderr " + command.get(0))
                .start(() -> logErrors(process, wrapper, connection, command.get(0)));
        return peer;
    }

    private static void logErrors(Process process, String wrapper, long connection, String program) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.warn("wrapper={} conn={} program={} stderr: {}", wrapper, connection, program, line);
            }
        } catch (IOException e) {
            log.debug("stderr of {} ended", program, e);
        }
    }

    @Override
    public void close() {
        super.close();
        Thread.ofVirtual().start(() -> end(GRACE));
    }

    @Override
    public void abort() {
        super.abort();
        Thread.ofVirtual().start(() -> end(Duration.ZERO));
    }

    private void end(Duration grace) {
        try {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
