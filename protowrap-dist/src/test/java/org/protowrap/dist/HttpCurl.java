package org.protowrap.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs curl, the real HTTP client of the end-to-end tests, and collects what it printed. */
final class HttpCurl {

    private static final long WAIT_SECONDS = 60;

    private HttpCurl() {}

    record Result(int exit, String out, String err) {}

    /** Something that writes curl's standard input (for {@code -T -}), then returns. */
    @FunctionalInterface
    interface Input {
        void writeTo(OutputStream stdin) throws IOException;
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(stdin -> {}, args);
    }

    static Result run(Input input, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("curl")));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).start();
        CompletableFuture<String> out = readAsync(curl.getInputStream());
        CompletableFuture<String> err = readAsync(curl.getErrorStream());
        try (OutputStream stdin = curl.getOutputStream()) {
            input.writeTo(stdin);
        }
        if (!curl.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            curl.destroyForcibly();
            throw new AssertionError("curl " + String.join(" ", args) + " did not finish");
        }
        return new Result(curl.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }, task -> Thread.ofPlatform().daemon().start(task)); // its own thread: curl may block on either stream
    }
}
