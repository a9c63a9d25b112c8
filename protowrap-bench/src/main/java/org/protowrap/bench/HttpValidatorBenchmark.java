package org.protowrap.bench;

import java.util.Map;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.protowrap.api.MapOptions;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.validator.http.HttpValidatorProvider;

/**
 * The HTTP validator on a keep-alive connection: requests per second, each request followed by
 * its response (testReply on, as the wrapper runs it), and body bytes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HttpValidatorBenchmark {

    static final int REQUESTS = 64;

    /** {@code get}: a browser-like GET; {@code post}: a POST with a 4 KiB body. */
    @Param({"get", "post"})
    String corpus;

    private Validator validator;
    private ByteBuffer request;
    private ByteBuffer response;
    private ByteBuffer bodyHead;
    private ByteBuffer bodyChunk;

    @Setup
    public void setUp() {
        validator = new HttpValidatorProvider().create(ValidatorConfig.of("bench", 8192, true, MapOptions.of(Map.of())));
        String headers = "Host: www.example.com\r\n"
                + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                + "Accept-Language: en-GB,en;q=0.5\r\n"
                + "Accept-Encoding: gzip, deflate\r\n"
                + "Cookie: session=8f2d1c0a9e7b4a6f; theme=dark\r\n"
                + "Connection: keep-alive\r\n";
        String text = corpus.equals("get")
                ? "GET /articles/2024/protocol-validation?page=2&sort=recent HTTP/1.1\r\n" + headers + "\r\n"
                : "POST /api/v1/upload HTTP/1.1\r\n" + headers + "Content-Type: application/octet-stream\r\n"
                        + "Content-Length: 4096\r\n\r\n" + "x".repeat(4096);
        request = ascii(text);
        response = ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n");
        bodyHead = ascii("POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: " + (1L << 40) + "\r\n\r\n");
        bodyChunk = ByteBuffer.wrap(new byte[64 * 1024]);
        Accepted.check("http " + corpus, keepAliveRequests(Accepted.BLACKHOLE));
        Accepted.check("http body", bodyReadsOf64KiB(Accepted.BLACKHOLE));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@value #REQUESTS} request/response pairs on one connection; the score is requests per second. */
    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public long keepAliveRequests(Blackhole blackhole) {
        DiscardingDecisions out = new DiscardingDecisions(blackhole);
        ValidatorSession session = validator.newSession(new SessionInfo("bench", null, 1));
        for (int i = 0; i < REQUESTS; i++) {
            session.onClientData(request.duplicate(), out);
            session.onServerData(response.duplicate(), out);
        }
        return Accepted.forwarded(out);
    }

    /** 64 KiB reads of one long request body; the score times 64 KiB is body bytes per second. */
    @Benchmark
    @OperationsPerInvocation(256)
    public long bodyReadsOf64KiB(Blackhole blackhole) {
        DiscardingDecisions out = new DiscardingDecisions(blackhole);
        ValidatorSession session = validator.newSession(new SessionInfo("bench", null, 1));
        session.onClientData(bodyHead.duplicate(), out);
        for (int i = 0; i < 256; i++) {
            session.onClientData(bodyChunk.duplicate(), out);
        }
        return Accepted.forwarded(out);
    }
}
