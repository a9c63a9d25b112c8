package org.protowrap.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How bytes reach a session: the engine hands over whatever one read returned, so a verdict must
 * not depend on where reads cut. These give the cuts to test with.
 */
public final class Splits {

    private Splits() {}

    /** The bytes in one piece. */
    public static List<byte[]> whole(byte[] bytes) {
        return List.of(bytes.clone());
    }

    /** One byte per piece. */
    public static List<byte[]> byteByByte(byte[] bytes) {
        List<byte[]> pieces = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            pieces.add(new byte[] {b});
        }
        return pieces;
    }

    /** Cut at random points: pieces of 1 to 16 bytes, and one time in eight every byte apart. */
    public static List<byte[]> random(byte[] bytes, RandomGenerator random) {
        if (bytes.length < 2) {
            return whole(bytes);
        }
        if (random.nextInt(8) == 0) {
            return byteByByte(bytes);
        }
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        while (from < bytes.length) {
            int length = 1 + random.nextInt(Math.min(bytes.length - from, 1 + random.nextInt(16)));
            pieces.add(Arrays.copyOfRange(bytes, from, from + length));
            from += length;
        }
        return pieces;
    }
}
