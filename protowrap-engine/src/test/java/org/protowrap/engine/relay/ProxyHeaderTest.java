package org.protowrap.engine.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.protowrap.engine.config.EdgeConfig.ProxyVersion;

/** The PROXY header, read and written byte for byte, at every split, and fuzzed. */
class ProxyHeaderTest {

    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("192.0.2.7", 51234);
    private static final InetSocketAddress SERVER4 = new InetSocketAddress("198.51.100.1", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 40000);
    private static final InetSocketAddress SERVER6 = new InetSocketAddress("2001:db8::1", 25);
    private static final byte[] AFTER = "EHLO x\r\n".getBytes(US_ASCII);

    @Test
    void writesVersion1ByTheSpecification() {
        assertEquals("PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n", new String(ProxyHeader.v1(CLIENT4, SERVER4), US_ASCII));
        assertEquals("PROXY TCP6 2001:db8:0:0:0:0:0:7 2001:db8:0:0:0:0:0:1 40000 25\r\n",
                new String(ProxyHeader.v1(CLIENT6, SERVER6), US_ASCII));
        assertEquals("PROXY UNKNOWN\r\n", new String(ProxyHeader.local(ProxyVersion.V1), US_ASCII));
    }

    /** A health check's header: v2 LOCAL; v1 names the check's own socket (Postfix refuses UNKNOWN). */
    @Test
    void ownConnectionsAreLocalInVersion2AndTheirOwnAddressesInVersion1() {
        assertEquals("PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n",
                new String(ProxyHeader.ownConnection(ProxyVersion.V1, Optional.of(CLIENT4), SERVER4), US_ASCII));
        assertEquals("PROXY UNKNOWN\r\n", new String(ProxyHeader.ownConnection(ProxyVersion.V1, Optional.empty(), SERVER4), US_ASCII));
        assertArrayEquals(ProxyHeader.local(ProxyVersion.V2), ProxyHeader.ownConnection(ProxyVersion.V2, Optional.of(CLIENT4), SERVER4));
    }

    @Test
    void writesVersion2ByTheSpecification() {
        assertEquals("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "c0000207" + "c6336401" + "c822" + "01bb",
                HexFormat.of().formatHex(ProxyHeader.v2(CLIENT4, SERVER4)));
        assertEquals("0d0a0d0a000d0a515549540a" + "21" + "21" + "0024" + "20010db8000000000000000000000007"
                + "20010db8000000000000000000000001" + "9c40" + "0019",
                HexFormat.of().formatHex(ProxyHeader.v2(CLIENT6, SERVER6)));
        assertEquals("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000", HexFormat.of().formatHex(ProxyHeader.local(ProxyVersion.V2)));
    }

    @Test
    void mixedFamiliesAreWrittenIpv4Mapped() {
        assertEquals("PROXY TCP6 0:0:0:0:0:ffff:c000:207 2001:db8:0:0:0:0:0:1 51234 25\r\n",
                new String(ProxyHeader.v1(CLIENT4, SERVER6), US_ASCII));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1-4", "v1-6", "v2-4", "v2-6"})
    void readsWhatItWritesAtEverySplitAndNeverPastTheEnd(String kind) {
        InetSocketAddress client = kind.endsWith("4") ? CLIENT4 : CLIENT6;
        InetSocketAddress server = kind.endsWith("4") ? SERVER4 : SERVER6;
        byte[] header = kind.startsWith("v1") ? ProxyHeader.v1(client, server) : ProxyHeader.v2(client, server);
        ProxyHeader expected = new ProxyHeader(kind.startsWith("v1") ? 1 : 2, Optional.of(client), Optional.of(server));
        Random random = new Random(kind.hashCode());
        for (int round = 0; round < 200; round++) {
            assertEquals(expected, readSplit(concat(header, AFTER), round == 0 ? 1 : 1 + random.nextInt(40), header.length));
        }
    }

    @Test
    void skipsVersion2TlvsAndUsesTheAddresses() {
        byte[] plain = ProxyHeader.v2(CLIENT4, SERVER4);
        byte[] tlvs = HexFormat.of().parseHex("0300040a0b0c0d" + "0400" + "20000500aabbccdd00" + "e1".repeat(300));
        ByteBuffer b = ByteBuffer.allocate(plain.length + tlvs.length).put(plain).put(tlvs);
        b.putShort(14, (short) (12 + tlvs.length));
        byte[] header = b.array();
        assertEquals(new ProxyHeader(2, Optional.of(CLIENT4), Optional.of(SERVER4)), readSplit(concat(header, AFTER), 7, header.length));
    }

    @Test
    void localAndUnknownLeaveTheConnectionsAddress() {
        ProxyHeader none1 = new ProxyHeader(1, Optional.empty(), Optional.empty());
        ProxyHeader none2 = new ProxyHeader(2, Optional.empty(), Optional.empty());
        assertEquals(none1, readSplit(concat(ProxyHeader.local(ProxyVersion.V1), AFTER), 3, 15));
        byte[] unknown = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n".getBytes(US_ASCII);
        assertEquals(none1, readSplit(concat(unknown, AFTER), 5, unknown.length));
        assertEquals(none2, readSplit(concat(ProxyHeader.local(ProxyVersion.V2), AFTER), 4, 16));
        // LOCAL with addresses (HAProxy's checks): the addresses are ignored
        byte[] local = ProxyHeader.v2(CLIENT4, SERVER4);
        local[12] = 0x20;
        assertEquals(none2, readSplit(concat(local, AFTER), 9, local.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",
        "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
        "PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n",
        "PROXY TCP6 1.2.3.4 2001:db8::1 1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
        "PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n",
        "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY X\r\nAAAAAAAAAAAAAAAAAAAAAAAA",
        "PROXY\r\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\u0000\r\n",
    })
    void refusesMalformedVersion1(String text) {
        assertThrows(ProxyHeader.Malformed.class, () -> readSplit(text.getBytes(US_ASCII), 1, -1));
    }

    @Test
    void refusesAVersion1LineWithoutItsEndWithin107Bytes() {
        byte[] longLine = ("PROXY UNKNOWN " + "x".repeat(200)).getBytes(US_ASCII);
        ProxyHeader.Reader reader = new ProxyHeader.Reader();
        ProxyHeader.Malformed e = assertThrows(ProxyHeader.Malformed.class, () -> feed(reader, longLine, 64));
        assertTrue(e.getMessage().contains("107"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0d0a0d0a000d0a515549540b" + "21110000",          // signature
        "0d0a0d0a000d0a515549540a" + "11110000",          // version 1 in binary
        "0d0a0d0a000d0a515549540a" + "22110000",          // command 2
        "0d0a0d0a000d0a515549540a" + "21410000",          // family 4
        "0d0a0d0a000d0a515549540a" + "2111000b" + "0000000000000000000000",   // too short for TCP4
        "0d0a0d0a000d0a515549540a" + "21210023",   // too short for TCP6
    })
    void refusesMalformedVersion2(String hex) {
        assertThrows(ProxyHeader.Malformed.class, () -> readSplit(HexFormat.of().parseHex(hex), 1, -1));
    }

    @Test
    void randomBytesAreRefusedOrReadWithinTheirLengthNeverCrash() {
        Random random = new Random(17);
        byte[][] seeds = {ProxyHeader.v1(CLIENT4, SERVER4), ProxyHeader.v2(CLIENT6, SERVER6), ProxyHeader.local(ProxyVersion.V2)};
        for (int round = 0; round < 20_000; round++) {
            byte[] input = concat(seeds[round % seeds.length], AFTER);
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                input[random.nextInt(input.length)] = (byte) random.nextInt(256);
            }
            ProxyHeader.Reader reader = new ProxyHeader.Reader();
            try {
                feed(reader, input, 1 + random.nextInt(20));
            } catch (ProxyHeader.Malformed expected) {
                // refused: fine
            }
        }
    }

    /** Feeds {@code input} in pieces of {@code piece} bytes, at most what the reader wants, and checks where it stops. */
    private static ProxyHeader readSplit(byte[] input, int piece, int headerLength) {
        ProxyHeader.Reader reader = new ProxyHeader.Reader();
        int consumed = feed(reader, input, piece);
        assertTrue(reader.complete(), "incomplete after " + consumed);
        if (headerLength >= 0) {
            assertEquals(headerLength, consumed, "bytes taken");
        }
        return reader.take(ByteBuffer.allocate(0)).orElseThrow();
    }

    private static int feed(ProxyHeader.Reader reader, byte[] input, int piece) {
        int at = 0;
        while (!reader.complete() && at < input.length) {
            int n = Math.min(Math.min(piece, reader.wanted()), input.length - at);
            ByteBuffer chunk = ByteBuffer.wrap(input, at, n);
            reader.take(chunk);
            assertEquals(0, chunk.remaining(), "the reader takes what it wanted");
            at += n;
        }
        return at;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    @Test
    void fixtureHeadersRoundTrip() {
        assertArrayEquals(ProxyHeader.v2(CLIENT4, SERVER4), ProxyHeader.of(ProxyVersion.V2, CLIENT4, SERVER4));
    }
}
