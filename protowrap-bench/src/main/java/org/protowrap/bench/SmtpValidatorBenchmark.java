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
import org.protowrap.validator.smtp.SmtpValidatorProvider;

/**
 * The SMTP validator through whole sessions with their server replies: commands per second,
 * and mail data bytes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SmtpValidatorBenchmark {

    static final int MESSAGES = 16;
    /** EHLO, then MAIL, RCPT, RCPT, DATA and the end of data per message, then QUIT. */
    static final int COMMANDS = 2 + MESSAGES * 5;

    private Validator validator;
    private ByteBuffer banner;
    private ByteBuffer ehlo;
    private ByteBuffer ehloReply;
    private ByteBuffer mail;
    private ByteBuffer rcpt1;
    private ByteBuffer rcpt2;
    private ByteBuffer data;
    private ByteBuffer ok;
    private ByteBuffer goAhead;
    private ByteBuffer text2k;
    private ByteBuffer textRead64k;
    private ByteBuffer quit;
    private ByteBuffer bye;

    @Setup
    public void setUp() {
        validator = new SmtpValidatorProvider().create(ValidatorConfig.of("bench", 512, true, MapOptions.of(Map.of())));
        banner = ascii("220 mx.example.com ESMTP\r\n");
        ehlo = ascii("EHLO client.example.org\r\n");
        ehloReply = ascii("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
                + "250-ENHANCEDSTATUSCODES\r\n250 DSN\r\n");
        mail = ascii("MAIL FROM:<sender@example.org> SIZE=2048\r\n");
        rcpt1 = ascii("RCPT TO:<first@example.com>\r\n");
        rcpt2 = ascii("RCPT TO:<second@example.com>\r\n");
        data = ascii("DATA\r\n");
        ok = ascii("250 2.0.0 Ok\r\n");
        goAhead = ascii("354 End data with <CR><LF>.<CR><LF>\r\n");
        text2k = ascii(lines(2048) + ".\r\n");
        textRead64k = ascii(lines(64 * 1024));
        quit = ascii("QUIT\r\n");
        bye = ascii("221 2.0.0 Bye\r\n");
        Accepted.check("smtp session", sessionCommands(Accepted.BLACKHOLE));
        Accepted.check("smtp data", dataReadsOf64KiB(Accepted.BLACKHOLE));
    }

    private static String lines(int size) {
        StringBuilder s = new StringBuilder("Subject: benchmark\r\n\r\n");
        while (s.length() < size - 78) {
            s.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\r\n");
        }
        return s.toString();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void exchange(ValidatorSession session, ByteBuffer command, ByteBuffer reply, DiscardingDecisions out) {
        session.onClientData(command.duplicate(), out);
        session.onServerData(reply.duplicate(), out);
    }

    /** A session of {@value #MESSAGES} 2 KiB messages to two recipients; the score is commands per second. */
    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public long sessionCommands(Blackhole blackhole) {
        DiscardingDecisions out = new DiscardingDecisions(blackhole);
        ValidatorSession session = validator.newSession(new SessionInfo("bench", null, 1));
        session.onStart(out);
        session.onServerData(banner.duplicate(), out);
        exchange(session, ehlo, ehloReply, out);
        for (int i = 0; i < MESSAGES; i++) {
            exchange(session, mail, ok, out);
            exchange(session, rcpt1, ok, out);
            exchange(session, rcpt2, ok, out);
            exchange(session, data, goAhead, out);
            exchange(session, text2k, ok, out);
        }
        exchange(session, quit, bye, out);
        return Accepted.forwardedThenClosed(out);
    }

    /** One message of 256 reads of 64 KiB; the score times 64 KiB is mail data bytes per second. */
    @Benchmark
    @OperationsPerInvocation(256)
    public long dataReadsOf64KiB(Blackhole blackhole) {
        DiscardingDecisions out = new DiscardingDecisions(blackhole);
        ValidatorSession session = validator.newSession(new SessionInfo("bench", null, 1));
        session.onStart(out);
        session.onServerData(banner.duplicate(), out);
        exchange(session, ehlo, ehloReply, out);
        exchange(session, mail, ok, out);
        exchange(session, rcpt1, ok, out);
        exchange(session, data, goAhead, out);
        for (int i = 0; i < 256; i++) {
            session.onClientData(textRead64k.duplicate(), out);
        }
        return Accepted.forwarded(out);
    }
}
