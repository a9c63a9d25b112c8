package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrLfNulScanTest {

    /** Bytes next to the searched ones (0x01, 0x0C, 0x0E, 0x80, 0xFF) are where a carry or borrow would misfire. */
    private static final byte[] ALPHABET = {'a', '.', 0x01, 0x0B, 0x0C, 0x0E, (byte) 0x80, (byte) 0x8D, (byte) 0xFF,
        '\r', '\n', 0};

    @ParameterizedTest
    @ValueSource(strings = {"BIG_ENDIAN", "LITTLE_ENDIAN"})
    void findsWhatAByteLoopFinds(String order) {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            ByteBuffer buffer = randomBuffer(random, order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int from = random.nextInt(buffer.capacity() + 1);
            int to = from + random.nextInt(buffer.capacity() - from + 1);
            assertEquals(byteByByte(buffer, from, to), CrLfNulScan.indexIn(buffer, from, to),
                    "round " + round + " from " + from + " to " + to);
        }
    }

    private static ByteBuffer randomBuffer(Random random, ByteOrder order) {
        byte[] bytes = new byte[random.nextInt(40)];
        // mostly plain bytes, so that matches fall anywhere in a word, or nowhere
        int specials = random.nextInt(3);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = ALPHABET[random.nextInt(ALPHABET.length - 3 + specials)];
        }
        ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length);
        return buffer.put(bytes).clear().order(order);
    }

    private static int byteByByte(ByteBuffer buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buffer.get(i);
            if (b == '\r' || b == '\n' || b == 0) {
                return i;
            }
        }
        return to;
    }
}
