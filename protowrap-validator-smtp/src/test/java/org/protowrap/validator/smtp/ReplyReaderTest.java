package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.protowrap.validator.smtp.ReplyReader.Reply;

class ReplyReaderTest {

    private static final String STREAM = "220 mx.example ESMTP\r\n"
            + "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"
            + "250 2.1.0 Ok\r\n354 \r\n250\n421-bye\r\n421 closing\r\n";

    @Test
    void everySplitGivesTheSameReplies() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = replies(bytes, List.of(bytes.length), false);
        assertEquals(List.of("220 [mx.example ESMTP]", "250 [mx.example, PIPELINING, SIZE 1000, 8BITMIME]",
                "250 [2.1.0 Ok]", "354 []", "250 []", "421 [bye, closing]"), whole);
        Random random = new Random(11);
        for (int round = 0; round < 2_000; round++) {
            List<Integer> sizes = randomSizes(random, bytes.length);
            assertEquals(whole, replies(bytes, sizes, random.nextBoolean()), "reads of " + sizes);
        }
    }

    @Test
    void rawBytesAreTheRepliesAsSent() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.ISO_8859_1);
        Random random = new Random(5);
        for (int round = 0; round < 500; round++) {
            ReplyReader reader = new ReplyReader();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            for (ByteBuffer read : reads(bytes, randomSizes(random, bytes.length), random.nextBoolean())) {
                while (read.hasRemaining()) {
                    reader.next(read).ifPresent(reply -> raw.writeBytes(reply.raw()));
                }
            }
            assertArrayEquals(bytes, raw.toByteArray());
        }
    }

    @Test
    void aLineOfMaxLineOctetsIsAcceptedOneMoreFails() {
        String longest = "250 " + "x".repeat(ReplyReader.MAX_LINE - 5) + "\r\n";
        assertEquals(1, replies(longest.getBytes(StandardCharsets.ISO_8859_1), List.of(100, 2000, 100), true).size());
        String tooLong = "250 " + "x".repeat(ReplyReader.MAX_LINE - 4) + "\r\n";
        ReplyReader reader = new ReplyReader();
        Optional<Reply> reply = reader.next(ByteBuffer.wrap(tooLong.getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(reply.isEmpty());
        assertTrue(reader.failure().orElseThrow().contains("longer than"));
    }

    @Test
    void afterAFailureWhatWasReadAndWhatIsLeftAreTheWholeReply() {
        byte[] bytes = "250-one\r\n250-two\r\nnonsense\r\n250 three\r\n".getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 1; split < bytes.length; split++) {
            ReplyReader reader = new ReplyReader();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            boolean failed = false;
            for (ByteBuffer read : reads(bytes, List.of(split, bytes.length - split), split % 2 == 0)) {
                if (!failed) {
                    assertTrue(reader.next(read).isEmpty());
                    failed = reader.failure().isPresent();
                    if (failed) {
                        seen.writeBytes(reader.unread());
                    }
                }
                if (failed) {
                    seen.writeBytes(remaining(read));
                }
            }
            assertTrue(failed, "split at " + split);
            assertArrayEquals(bytes, seen.toByteArray(), "split at " + split);
        }
    }

    @Test
    void aReplyOfTooManyLinesFails() {
        String reply = "250-x\r\n".repeat(ReplyReader.MAX_LINES) + "250 x\r\n";
        ReplyReader reader = new ReplyReader();
        assertTrue(reader.next(ByteBuffer.wrap(reply.getBytes(StandardCharsets.ISO_8859_1))).isEmpty());
        assertTrue(reader.failure().isPresent());
    }

    private static List<String> replies(byte[] bytes, List<Integer> sizes, boolean direct) {
        ReplyReader reader = new ReplyReader();
        List<String> replies = new ArrayList<>();
        for (ByteBuffer read : reads(bytes, sizes, direct)) {
            while (read.hasRemaining()) {
                reader.next(read).ifPresent(reply -> replies.add(reply.code() + " " + reply.texts()));
                assertTrue(reader.failure().isEmpty(), () -> reader.failure().get());
            }
        }
        return replies;
    }

    private static List<ByteBuffer> reads(byte[] bytes, List<Integer> sizes, boolean direct) {
        List<ByteBuffer> reads = new ArrayList<>();
        int offset = 0;
        for (int size : sizes) {
            int length = Math.min(size, bytes.length - offset);
            ByteBuffer read = direct ? ByteBuffer.allocateDirect(length + 2) : ByteBuffer.allocate(length + 2);
            // a read that does not start at index 0, as in the engine's buffers
            read.position(1).put(bytes, offset, length).flip().position(1);
            reads.add(read);
            offset += length;
        }
        return reads;
    }

    private static List<Integer> randomSizes(Random random, int total) {
        List<Integer> sizes = new ArrayList<>();
        for (int left = total; left > 0; ) {
            int size = 1 + random.nextInt(Math.min(left, 30));
            sizes.add(size);
            left -= size;
        }
        return sizes;
    }

    private static byte[] remaining(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
