package org.protowrap.engine.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A block of client addresses, {@code 192.0.2.0/24} or {@code 2001:db8::/32}, or one address
 * ({@code /32} or {@code /128}). Only literal addresses: a host name would make a list depend on
 * DNS at every start. IPv4-mapped IPv6 literals are the IPv4 addresses they map.
 *
 * @param network the first address of the block (host bits zero)
 * @param prefix the bits that must match
 */
public record AddressRange(InetAddress network, int prefix) {

    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** Parses {@code ADDRESS} or {@code ADDRESS/PREFIX}; empty when {@code text} is neither. */
    public static Optional<AddressRange> parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (!V4.matcher(address).matches() && !V6.matcher(address).matches()) {
            return Optional.empty();
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            int bits = parsed.getAddress().length * 8;
            int prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
            if (prefix < 0 || prefix > bits || (slash >= 0 && !s.substring(slash + 1).matches("\\d{1,3}"))) {
                return Optional.empty();
            }
            return Optional.of(new AddressRange(InetAddress.getByAddress(masked(parsed.getAddress(), prefix)), prefix));
        } catch (UnknownHostException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code address} is in the block (never across families). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        return a.length == n.length && java.util.Arrays.equals(masked(a, prefix), n);
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.clamp(prefix - i * 8L, 0, 8);
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}
