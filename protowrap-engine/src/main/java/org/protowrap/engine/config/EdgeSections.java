package org.protowrap.engine.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.protowrap.api.MapOptions;

/**
 * Reads a wrapper's edge controls: {@code allow}, {@code deny}, {@code tarpit}, {@code rateLimit},
 * {@code proxyProtocol} and {@code sendProxy}. A list entry is an address, a block in CIDR
 * notation, or {@code {file: PATH}}: a file of such entries, one a line, {@code #} starting a
 * comment, read again whenever the configuration is (SIGHUP).
 */
final class EdgeSections {

    /** A list file larger than this is refused: an address list, not a data set. */
    private static final long MAX_FILE_BYTES = 16L << 20;

    private final Path base;

    /** @param base the folder of the configuration file, against which list files resolve */
    EdgeSections(Path base) {
        this.base = base;
    }

    EdgeConfig read(MapOptions w) {
        List<AddressRange> allow = ranges(w, "allow");
        List<AddressRange> deny = ranges(w, "deny");
        Duration tarpit = ConfigKeys.TARPIT.duration(w);
        if (tarpit.compareTo(Duration.ofMinutes(1)) > 0) {
            w.problem("tarpit", "must be at most 1m: a refused client holds a socket while it waits");
        }
        Optional<EdgeConfig.ProxyVersion> sendProxy = w.has("sendProxy")
                ? Optional.ofNullable(ConfigKeys.SEND_PROXY.choice(w, EdgeConfig.ProxyVersion.class))
                : Optional.empty();
        if (sendProxy.isPresent() && "pipe".equals(w.raw("destType"))) {
            w.problem("sendProxy", "is for TCP backends (destType: ip)");
        }
        return new EdgeConfig(allow, deny, tarpit, rateLimit(w), proxyProtocol(w), sendProxy);
    }

    private Optional<EdgeConfig.RateLimit> rateLimit(MapOptions w) {
        if (!w.has("rateLimit")) {
            return Optional.empty();
        }
        MapOptions r = ConfigKeys.RATE_LIMIT_SECTION.declare(w.section("rateLimit"));
        int connections = ConfigKeys.RATE_CONNECTIONS.integer(r);
        if (!r.has("connections")) {
            r.problem("connections", "is required: new connections allowed per client address in 'per'");
        }
        Duration per = ConfigKeys.RATE_PER.duration(r);
        if (per.isZero() || per.compareTo(Duration.ofHours(24)) > 0) {
            r.problem("per", "must be more than 0 and at most 24h");
        }
        int burst = ConfigKeys.RATE_BURST.integer(r, connections);
        return Optional.of(new EdgeConfig.RateLimit(connections, per, Math.max(burst, 1)));
    }

    private Optional<List<AddressRange>> proxyProtocol(MapOptions w) {
        if (!w.has("proxyProtocol")) {
            return Optional.empty();
        }
        MapOptions p = ConfigKeys.PROXY_PROTOCOL_SECTION.declare(w.section("proxyProtocol"));
        List<AddressRange> trusted = ranges(p, "trusted");
        if (trusted.isEmpty()) {
            p.problem("trusted", "is required: the balancers whose PROXY header may name the client");
        }
        return Optional.of(trusted);
    }

    private List<AddressRange> ranges(MapOptions w, String key) {
        Object value = w.raw(key);
        List<AddressRange> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        List<?> entries = value instanceof List<?> list ? list : List.of(value);
        for (int i = 0; i < entries.size(); i++) {
            String at = w.pathOf(key) + (value instanceof List<?> ? "[" + i + "]" : "");
            entry(w, entries.get(i), at, out);
        }
        return List.copyOf(out);
    }

    private void entry(MapOptions w, Object entry, String at, List<AddressRange> out) {
        if (entry instanceof String s) {
            AddressRange.parse(s).ifPresentOrElse(out::add, () -> w.problemAt(at, "\"" + s
                    + "\" is not an IP address or a block such as 192.0.2.0/24 or 2001:db8::/32"));
        } else if (entry instanceof Map<?, ?> map && map.size() == 1 && map.get("file") instanceof String file) {
            readFile(w, base.resolve(file), at, out);
        } else {
            w.problemAt(at, "must be an address, a block such as 192.0.2.0/24, or {file: PATH}, not "
                    + MapOptions.describe(entry));
        }
    }

    private static void readFile(MapOptions w, Path file, String at, List<AddressRange> out) {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                w.problemAt(at, file + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
                return;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            w.problemAt(at, "cannot read " + file + ": " + e.getMessage());
            return;
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String text = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (text.isEmpty()) {
                continue;
            }
            int lineNumber = n + 1;
            AddressRange.parse(text).ifPresentOrElse(out::add, () -> w.problemAt(at, file + ":" + lineNumber + ": \""
                    + text + "\" is not an IP address or a block such as 192.0.2.0/24"));
        }
    }
}
