package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PendingBytesTest {

    /** A peer whose socket has room for {@code room} more bytes until the test makes more. */
    private static final class Trickle implements Peer {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int room;

        Trickle(int room) {
            this.room = room;
        }

        @Override
        public int read(ByteBuffer dst) {
            return 0;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(room, src.remaining());
            byte[] chunk = new byte[n];
            src.get(chunk);
            taken.writeBytes(chunk);
            room -= n;
            return n;
        }

        @Override
        public void interest(boolean read, boolean write) {}

        @Override
        public void shutdownOutput() {}

        @Override
        public void close() {}

        @Override
        public void abort() {}

        @Override
        public String describe() {
            return "trickle";
        }
    }

    @Test
    void keepsTheOrderOfManySmallAppendsAndEmptiesCompletely() throws Exception {
        PendingBytes pending = new PendingBytes();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            String line = "line " + i + "\n";
            expected.append(line);
            pending.append(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals(expected.length(), pending.size());
        Trickle peer = new Trickle(0);
        while (!pending.isEmpty()) {
            peer.room = 7;
            assertEquals(Math.min(7, pending.size()), pending.flushTo(peer));
        }
        assertEquals(expected.toString(), peer.taken.toString(StandardCharsets.US_ASCII));
        assertEquals(0, pending.size());
    }

    @Test
    void appendsAfterAPartialFlushFollowWhatWasLeft() throws Exception {
        PendingBytes pending = new PendingBytes();
        pending.append(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.US_ASCII)));
        Trickle peer = new Trickle(4);
        assertEquals(4, pending.flushTo(peer));
        pending.append(ByteBuffer.wrap("ghij".getBytes(StandardCharsets.US_ASCII)));
        peer.room = 100;
        assertEquals(6, pending.flushTo(peer));
        assertEquals("abcdefghij", peer.taken.toString(StandardCharsets.US_ASCII));
        assertTrue(pending.isEmpty());
    }

    @Test
    void appendConsumesTheSource() {
        PendingBytes pending = new PendingBytes();
        ByteBuffer source = ByteBuffer.wrap("xyz".getBytes(StandardCharsets.US_ASCII));
        pending.append(source);
        assertEquals(0, source.remaining());
        assertEquals(3, pending.size());
    }
}
