package org.protowrap.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge keys: defaults, address blocks, list files, and every mistake named at once. */
class EdgeSectionsTest {

    @TempDir
    Path home;

    private Configuration load(String extra) throws Exception {
        Path file = home.resolve("t.yaml");
        Files.writeString(file, """
                wrappers:
                  - name: w
                    protocol: line
                    listenPort: 7000
                    destAddr: 127.0.0.1:7001
                """ + extra.indent(4));
        return ConfigLoader.forHome(home).load(file);
    }

    @Test
    void defaultsAreNoControls() throws Exception {
        assertEquals(EdgeConfig.NONE, load("").wrappers().get(0).config().edge());
    }

    @Test
    void readsEveryKeyWithTheDocumentedDefaults() throws Exception {
        Files.writeString(home.resolve("list.txt"), "# partners\n198.51.100.0/24  # one\n\n2001:db8::5\n");
        EdgeConfig edge = load("""
                allow: [192.0.2.0/24, {file: list.txt}]
                deny: 192.0.2.66
                tarpit: 5s
                rateLimit: {connections: 20}
                proxyProtocol: {trusted: [10.0.0.0/8]}
                sendProxy: v1
                """).wrappers().get(0).config().edge();
        assertEquals(List.of("192.0.2.0/24", "198.51.100.0/24", "2001:db8:0:0:0:0:0:5/128"),
                edge.allow().stream().map(AddressRange::toString).toList());
        assertEquals(List.of("192.0.2.66/32"), edge.deny().stream().map(AddressRange::toString).toList());
        assertEquals(Duration.ofSeconds(5), edge.tarpit());
        assertEquals(Optional.of(new EdgeConfig.RateLimit(20, Duration.ofSeconds(1), 20)), edge.rateLimit());
        assertEquals(1, edge.proxyTrusted().orElseThrow().size());
        assertEquals(Optional.of(EdgeConfig.ProxyVersion.V1), edge.sendProxy());
    }

    @Test
    void everyMistakeIsNamed() throws Exception {
        Files.writeString(home.resolve("bad.txt"), "10.0.0.1\nnot-an-address\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                allow: [192.0.2.0/33, example.com, {file: bad.txt}, {file: missing.txt}, 7]
                tarpit: 2m
                rateLimit: {per: 0s, burst: 0}
                proxyProtocol: {}
                sendProxy: v3
                """));
        String message = e.problems().toString();
        for (String expected : List.of("allow[0]", "allow[1]", "bad.txt:2", "missing.txt", "allow[4]", "tarpit",
                "rateLimit.connections", "rateLimit.per", "rateLimit.burst", "proxyProtocol.trusted", "sendProxy")) {
            assertTrue(message.contains(expected), expected + " in: " + message);
        }
    }

    @Test
    void blocksMatchTheirAddressesOnly() throws Exception {
        AddressRange v4 = AddressRange.parse("192.0.2.77/25").orElseThrow();
        assertEquals("192.0.2.0/25", v4.toString());
        assertTrue(v4.contains(InetAddress.getByName("192.0.2.127")));
        assertFalse(v4.contains(InetAddress.getByName("192.0.2.128")));
        assertFalse(v4.contains(InetAddress.getByName("2001:db8::1")), "other family");
        AddressRange v6 = AddressRange.parse("2001:db8::/32").orElseThrow();
        assertTrue(v6.contains(InetAddress.getByName("2001:db8:ffff::1")));
        assertFalse(v6.contains(InetAddress.getByName("2001:db9::1")));
        assertTrue(AddressRange.parse("0.0.0.0/0").orElseThrow().contains(InetAddress.getByName("203.0.113.9")));
        for (String bad : List.of("1.2.3", "1.2.3.4/", "1.2.3.4/-1", "::/129", "host.example", "1.2.3.4/ 8")) {
            assertTrue(AddressRange.parse(bad).isEmpty(), bad);
        }
    }
}
