package org.protowrap.balancer.sourcehash;

/**
 * 64-bit hashes that are the same in every run and on every machine, unlike
 * {@link Object#hashCode()} of most types, so that a client keeps its backend across restarts.
 * Input is packed into 64-bit blocks and each block is folded in with the SplitMix64 finaliser,
 * which spreads every input bit over the whole result.
 *
 * <p>Not a cryptographic hash: someone who knows it could pick inputs that collide. Here the
 * inputs are client addresses, which a client cannot choose freely, and the worst an attacker
 * gains is sending their own connections to one backend.
 */
final class StableHash {

    /** Starting value, so that the empty input does not hash to zero. */
    private static final long SEED = 0x9E3779B97F4A7C15L;

    private StableHash() {}

    /** The SplitMix64 finaliser: a bijection on 64-bit values with full avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Hashes bytes eight at a time; the length is folded in, so zero padding cannot collide. */
    static long of(byte[] bytes) {
        long h = mix(SEED ^ bytes.length);
        for (int start = 0; start < bytes.length; start += Long.BYTES) {
            long block = 0;
            for (int i = start; i < Math.min(start + Long.BYTES, bytes.length); i++) {
                block = (block << Byte.SIZE) | (bytes[i] & 0xFF);
            }
            h = mix(h ^ block);
        }
        return h;
    }

    /** Hashes the UTF-16 code units of a string four at a time, without copying it. */
    static long of(CharSequence text) {
        long h = mix(SEED ^ ~(long) text.length());
        for (int start = 0; start < text.length(); start += 4) {
            long block = 0;
            for (int i = start; i < Math.min(start + 4, text.length()); i++) {
                block = (block << Character.SIZE) | text.charAt(i);
            }
            h = mix(h ^ block);
        }
        return h;
    }
}
