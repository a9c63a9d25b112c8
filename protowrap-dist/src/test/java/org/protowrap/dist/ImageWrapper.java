package org.protowrap.dist;

import java.time.Duration;

/** The runtime image running one wrapper on loopback, as a test started it: its port, its log, its end. */
class ImageWrapper implements AutoCloseable {

    /** How long a line may take to reach the log after what it tells of. */
    static final Duration LOG_WAIT = Duration.ofSeconds(10);

    private final int port;
    private final ExternalProcess process;

    ImageWrapper(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    int port() {
        return port;
    }

    String log() {
        return process.output();
    }

    /** Waits until a line of the log holds {@code text}, and returns it; fails if none comes. */
    String awaitLine(String text) throws InterruptedException {
        return awaitLine(0, text, LOG_WAIT);
    }

    /** The first line of the log from {@code mark} on that holds {@code text}; fails if none comes {@code within}. */
    String awaitLine(int mark, String text, Duration within) throws InterruptedException {
        return process.awaitLine(mark, text, within);
    }

    /** Stops the image as an operator would (SIGTERM); returns its exit code. */
    int terminate() throws InterruptedException {
        return process.terminate(Duration.ofSeconds(10));
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
