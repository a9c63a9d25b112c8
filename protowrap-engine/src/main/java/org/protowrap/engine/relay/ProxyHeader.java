package org.protowrap.engine.relay;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.protowrap.engine.config.EdgeConfig.ProxyVersion;

/**
 * The PROXY protocol header (HAProxy's specification, versions 1 and 2) that a balancer puts in
 * front of a connection to say whom it is for: read by {@link Reader}, written by
 * {@link #v1}, {@link #v2}, {@link #local} and {@link #ownConnection}. Pure: no sockets.
 *
 * @param version 1 or 2
 * @param source the client, for a TCP over IPv4 or IPv6 header; empty for {@code LOCAL} (the
 *     balancer's own connection, e.g. a health check), {@code UNKNOWN} and other families, where
 *     the connection's own addresses stand
 * @param destination the address the client connected to, with {@code source}
 */
public record ProxyHeader(int version, Optional<InetSocketAddress> source, Optional<InetSocketAddress> destination) {

    /** The longest version 1 header, CRLF included. */
    static final int V1_MAX = 107;
    /** The 12 bytes that start a version 2 header. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    /** The shortest header of either version: {@code PROXY UNKNOWN CRLF} (15 bytes; a v2 header has 16 or more). */
    private static final int SHORTEST = 15;
    private static final int V2_FIXED = 16;
    /** The longest address block kept (AF_UNIX: 216 bytes); TLVs after it are skipped, not stored. */
    private static final int V2_ADDRESSES_MAX = 216;
    private static final Pattern V1 = Pattern.compile(
            "PROXY (?:UNKNOWN(?: [^\r\n]*)?|(TCP4|TCP6) ([0-9A-Fa-f.:]+) ([0-9A-Fa-f.:]+) (\\d{1,5}) (\\d{1,5}))\r\n");

    /** A header that breaks the specification; the message says how, for the log. */
    public static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** A version 1 header naming {@code source} and {@code destination}. */
    public static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
        InetAddress[] pair = sameFamily(source.getAddress(), destination.getAddress());
        String family = pair[0] instanceof Inet4Address ? "TCP4" : "TCP6";
        return ("PROXY " + family + " " + pair[0].getHostAddress() + " " + pair[1].getHostAddress() + " "
                + source.getPort() + " " + destination.getPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A version 2 header naming {@code source} and {@code destination}, without TLVs. */
    public static byte[] v2(InetSocketAddress source, InetSocketAddress destination) {
        InetAddress[] pair = sameFamily(source.getAddress(), destination.getAddress());
        boolean v4 = pair[0] instanceof Inet4Address;
        int length = v4 ? 12 : 36;
        ByteBuffer out = ByteBuffer.allocate(V2_FIXED + length);
        out.put(V2_SIGNATURE).put((byte) 0x21).put((byte) (v4 ? 0x11 : 0x21)).putShort((short) length);
        out.put(pair[0].getAddress()).put(pair[1].getAddress());
        out.putShort((short) source.getPort()).putShort((short) destination.getPort());
        return out.array();
    }

    /** A header for a connection of the sender's own, with no client behind it (a health check). */
    public static byte[] local(ProxyVersion version) {
        if (version == ProxyVersion.V1) {
            return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
        }
        return ByteBuffer.allocate(V2_FIXED).put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0).putShort((short) 0).array();
    }

    /**
     * The header for a connection of the sender's own (a health check) from {@code local} to
     * {@code backend}: {@code LOCAL} in version 2; in version 1, which has no such command, the
     * connection's own addresses, as HAProxy writes for its checks, since servers such as Postfix
     * refuse {@code UNKNOWN}; {@code UNKNOWN} only when the local address is not known.
     */
    public static byte[] ownConnection(ProxyVersion version, Optional<InetSocketAddress> local, InetSocketAddress backend) {
        if (version == ProxyVersion.V1 && local.isPresent()) {
            return v1(local.get(), backend);
        }
        return local(version);
    }

    /** The header of {@code version} for a connection from {@code source} to {@code destination}. */
    public static byte[] of(ProxyVersion version, InetSocketAddress source, InetSocketAddress destination) {
        return version == ProxyVersion.V1 ? v1(source, destination) : v2(source, destination);
    }

    /** Both addresses in one family: an IPv4 address beside an IPv6 one is written IPv4-mapped. */
    private static InetAddress[] sameFamily(InetAddress a, InetAddress b) {
        if (a instanceof Inet4Address == b instanceof Inet4Address) {
            return new InetAddress[] {a, b};
        }
        return new InetAddress[] {mapped(a), mapped(b)};
    }

    private static InetAddress mapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            return address;
        }
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(address.getAddress(), 0, out, 12, 4);
        try {
            return Inet6Address.getByAddress(null, out, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads one header from the start of a connection, never a byte past its end: {@link #wanted}
     * says how many bytes may be given next, so that what follows the header stays in the socket
     * for the relay. A version 1 header is taken a byte at a time once its first 15 bytes are in
     * (its end is only known when seen); a version 2 header in three reads at most. Memory is
     * bounded: at most 107 bytes of a v1 line, 216 of v2 addresses; v2 TLVs after the addresses are
     * skipped unread (their length is bounded by the header's, at most 65535 bytes).
     */
    public static final class Reader {

        private enum State { START, V1_LINE, V2_FIXED, V2_BODY, DONE }

        private State state = State.START;
        private final byte[] head = new byte[Math.max(V1_MAX, V2_FIXED)];
        private int headLength;
        private final byte[] addresses = new byte[V2_ADDRESSES_MAX];
        private int bodyLength;
        private int bodyRead;
        private ProxyHeader header;

        /** How many bytes may be given to {@link #take} next; 0 once the header is complete. */
        public int wanted() {
            return switch (state) {
                case START -> SHORTEST - headLength;
                case V1_LINE -> 1;
                case V2_FIXED -> V2_FIXED - headLength;
                case V2_BODY -> bodyLength - bodyRead;
                case DONE -> 0;
            };
        }

        /**
         * Consumes up to {@link #wanted} bytes of {@code bytes}.
         *
         * @return the header, once complete
         * @throws Malformed as soon as the bytes cannot begin a valid header
         */
        public Optional<ProxyHeader> take(ByteBuffer bytes) {
            while (bytes.hasRemaining() && state != State.DONE) {
                int n = Math.min(bytes.remaining(), wanted());
                switch (state) {
                    case START, V1_LINE, V2_FIXED -> takeHead(bytes, n);
                    case V2_BODY -> takeBody(bytes, n);
                    case DONE -> { }
                }
            }
            return Optional.ofNullable(header);
        }

        public boolean complete() {
            return state == State.DONE;
        }

        private void takeHead(ByteBuffer bytes, int n) {
            for (int i = 0; i < n; i++) {
                byte b = bytes.get();
                checkPrefix(headLength, b);
                head[headLength++] = b;
            }
            switch (state) {
                case START -> {
                    if (headLength == SHORTEST) {
                        state = head[0] == 'P' ? State.V1_LINE : State.V2_FIXED;
                        if (state == State.V1_LINE && head[SHORTEST - 1] == '\n') {
                            endV1();
                        }
                    }
                }
                case V1_LINE -> {
                    if (head[headLength - 1] == '\n') {
                        endV1();
                    } else if (headLength == V1_MAX) {
                        throw new Malformed("version 1 header without CRLF in " + V1_MAX + " bytes");
                    }
                }
                case V2_FIXED -> {
                    if (headLength == V2_FIXED) {
                        startV2Body();
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }

        /** Refuses at the first byte that neither version's fixed start allows. */
        private void checkPrefix(int at, byte b) {
            if (at == 0 && b != 'P' && b != V2_SIGNATURE[0]) {
                throw new Malformed("no PROXY header (the connection starts with 0x%02x)".formatted(b & 0xff));
            }
            if (at > 0) {
                boolean v1 = head[0] == 'P';
                if (v1 && at < V1_PREFIX.length && b != V1_PREFIX[at]) {
                    throw new Malformed("no PROXY header (starts with P but not \"PROXY \")");
                }
                if (v1 && (b == 0 || head[at - 1] == '\n' || (b == '\n') != (head[at - 1] == '\r'))) {
                    throw new Malformed("version 1 header with a stray CR, LF or NUL");
                }
                if (!v1 && at < V2_SIGNATURE.length && b != V2_SIGNATURE[at]) {
                    throw new Malformed("version 2 signature mismatch at byte " + at);
                }
            }
        }

        private void endV1() {
            String line = new String(head, 0, headLength, StandardCharsets.US_ASCII);
            Matcher m = V1.matcher(line);
            if (!m.matches()) {
                throw new Malformed("version 1 header not understood: " + printable(line));
            }
            if (m.group(1) == null) {
                done(1, Optional.empty(), Optional.empty());
                return;
            }
            boolean v4 = m.group(1).equals("TCP4");
            InetAddress source = literal(m.group(2), v4);
            InetAddress destination = literal(m.group(3), v4);
            done(1, Optional.of(new InetSocketAddress(source, port(m.group(4)))),
                    Optional.of(new InetSocketAddress(destination, port(m.group(5)))));
        }

        private static InetAddress literal(String text, boolean v4) {
            boolean looksV4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
            if (v4 != looksV4 || (!v4 && !text.contains(":"))) {
                throw new Malformed("version 1 address \"" + text + "\" is not a TCP" + (v4 ? "4" : "6") + " address");
            }
            try {
                InetAddress address = InetAddress.getByName(text);
                if (address instanceof Inet4Address != v4) {
                    throw new Malformed("version 1 address \"" + text + "\" is of the other family");
                }
                return address;
            } catch (UnknownHostException e) {
                throw new Malformed("version 1 address \"" + text + "\" is not an address");
            }
        }

        private static int port(String text) {
            int port = Integer.parseInt(text);
            if (port > 65535 || (text.length() > 1 && text.charAt(0) == '0')) {
                throw new Malformed("version 1 port \"" + text + "\" is not a port");
            }
            return port;
        }

        private void startV2Body() {
            int version = (head[12] & 0xf0) >> 4;
            int command = head[12] & 0x0f;
            if (version != 2) {
                throw new Malformed("version 2 signature with version " + version);
            }
            if (command > 1) {
                throw new Malformed("version 2 command " + command + " (only LOCAL 0 and PROXY 1 exist)");
            }
            int family = head[13] & 0xff;
            if (!Arrays.asList(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32).contains(family)) {
                throw new Malformed("version 2 address family 0x%02x".formatted(family));
            }
            bodyLength = ((head[14] & 0xff) << 8) | (head[15] & 0xff);
            if (command == 1 && bodyLength < addressLength(family)) {
                throw new Malformed("version 2 length " + bodyLength + " too short for its addresses ("
                        + addressLength(family) + ")");
            }
            state = State.V2_BODY;
            if (bodyLength == 0) {
                endV2();
            }
        }

        private static int addressLength(int family) {
            return switch (family >> 4) {
                case 1 -> 12;
                case 2 -> 36;
                case 3 -> 216;
                default -> 0;
            };
        }

        private void takeBody(ByteBuffer bytes, int n) {
            int keep = Math.clamp(V2_ADDRESSES_MAX - bodyRead, 0, n);
            if (keep > 0) {
                bytes.get(addresses, bodyRead, keep);
            }
            bytes.position(bytes.position() + n - keep);
            bodyRead += n;
            if (bodyRead == bodyLength) {
                endV2();
            }
        }

        private void endV2() {
            int family = head[13] & 0xff;
            boolean proxy = (head[12] & 0x0f) == 1;
            if (proxy && (family == 0x11 || family == 0x21)) {
                int size = family == 0x11 ? 4 : 16;
                ByteBuffer b = ByteBuffer.wrap(addresses, 0, 2 * size + 4);
                InetAddress source = address(b, size);
                InetAddress destination = address(b, size);
                int sourcePort = b.getShort() & 0xffff;
                int destinationPort = b.getShort() & 0xffff;
                done(2, Optional.of(new InetSocketAddress(source, sourcePort)),
                        Optional.of(new InetSocketAddress(destination, destinationPort)));
            } else {
                done(2, Optional.empty(), Optional.empty());
            }
        }

        private static InetAddress address(ByteBuffer b, int size) {
            byte[] raw = new byte[size];
            b.get(raw);
            try {
                return InetAddress.getByAddress(raw);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        private void done(int version, Optional<InetSocketAddress> source, Optional<InetSocketAddress> destination) {
            header = new ProxyHeader(version, source, destination);
            state = State.DONE;
        }

        private static String printable(String line) {
            return line.strip().replaceAll("[^\\x20-\\x7e]", "?");
        }
    }
}
