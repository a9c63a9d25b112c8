package org.protowrap.engine.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.protowrap.engine.config.AdminConfig;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.relay.AddressText;

/**
 * {@code protowrap status [--config FILE] [--format table|json]}: asks the running process's
 * admin endpoint (the configuration's {@code admin:} section says where) for {@code /status}
 * and prints it as tables, one per wrapper, or as the endpoint's JSON.
 */
final class StatusCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintStream out;
    private final PrintStream err;

    StatusCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(Configuration config, String source, String format) {
        if (!format.equals("table") && !format.equals("json")) {
            throw new UsageException("--format is 'table' or 'json', not '" + format + "'");
        }
        if (config.settings().admin().isEmpty()) {
            err.println(source + ": no admin endpoint configured; add an 'admin:' section "
                    + "(e.g. admin: {listenPort: 8404}) and reload, then ask again");
            return Main.USAGE;
        }
        URI uri = statusUri(config.settings().admin().get());
        String body;
        try {
            body = get(uri);
        } catch (IOException e) {
            err.println("cannot read " + uri + ": " + e.getMessage() + " (is protowrap running with " + source + "?)");
            return Main.FAILURE;
        }
        if (format.equals("json")) {
            out.print(body);
            return Main.OK;
        }
        try {
            printTables(asMap(parse(body)));
        } catch (IOException | ClassCastException e) {
            err.println(uri + " did not answer with the status document: " + e.getMessage());
            return Main.FAILURE;
        }
        return Main.OK;
    }

    /** The endpoint's address; a wildcard listen address is reached on loopback. */
    static URI statusUri(AdminConfig admin) {
        InetAddress address = InetAddress.ofLiteral(admin.listenAddr());
        if (address.isAnyLocalAddress()) {
            address = InetAddress.getLoopbackAddress();
        }
        return URI.create("http://" + AddressText.of(new InetSocketAddress(address, admin.listenPort())) + "/status");
    }

    private static String get(URI uri) throws IOException {
        HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection();
        http.setConnectTimeout((int) TIMEOUT.toMillis());
        http.setReadTimeout((int) TIMEOUT.toMillis());
        http.setRequestProperty("Accept", "application/json");
        try {
            if (http.getResponseCode() != 200) {
                throw new IOException("HTTP " + http.getResponseCode());
            }
            try (InputStream in = http.getInputStream()) {
                return new String(in.readNBytes(4 << 20), StandardCharsets.UTF_8);
            }
        } finally {
            http.disconnect();
        }
    }

    private void printTables(Map<String, Object> status) {
        out.println("protowrap " + status.get("version") + ", up since " + toMillis(status.get("started"))
                + (Boolean.TRUE.equals(status.get("ready")) ? ", ready" : ", NOT READY")
                + ", fds " + status.get("openFds") + "/" + status.get("maxFds"));
        for (Object item : asList(status.get("wrappers"))) {
            Map<String, Object> w = asMap(item);
            out.println();
            out.println("wrapper " + w.get("name") + " (" + w.get("protocol") + " on " + w.get("listen") + "): "
                    + w.get("state") + ", " + w.get("activeConnections") + " active, "
                    + w.get("accepted") + " accepted, refused " + summary(asMap(w.get("refused"))));
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("BACKEND", "STATE", "HEALTH", "ADMIN", "WEIGHT", "ACTIVE", "CONNECTS", "REUSES",
                    "FAILURES", "LAST CHANGE"));
            for (Object b : asList(w.get("backends"))) {
                Map<String, Object> backend = asMap(b);
                List<Object> transitions = asList(backend.get("recentTransitions"));
                String last = transitions.isEmpty() ? "-" : lastTransition(asMap(transitions.getLast()));
                String weight = String.valueOf(backend.get("weight"));
                if (!weight.equals(String.valueOf(backend.get("configuredWeight")))) {
                    weight += " (configured " + backend.get("configuredWeight") + ")";
                }
                rows.add(List.of(String.valueOf(backend.get("name")), String.valueOf(backend.get("state")),
                        String.valueOf(backend.get("health")), String.valueOf(backend.get("admin")), weight,
                        String.valueOf(backend.get("activeConnections")), String.valueOf(backend.get("connects")),
                        String.valueOf(backend.get("reuses")), String.valueOf(backend.get("connectFailures")), last));
            }
            printAligned(rows);
        }
    }

    private static String lastTransition(Map<String, Object> t) {
        return toMillis(t.get("at")) + " -> " + t.get("to") + " (" + t.get("reason") + ")";
    }

    /** An instant of the status document cut to the millisecond; anything else as it came. */
    private static String toMillis(Object instant) {
        try {
            return Instant.parse(String.valueOf(instant)).truncatedTo(ChronoUnit.MILLIS).toString();
        } catch (DateTimeParseException e) {
            return String.valueOf(instant);
        }
    }

    private static String summary(Map<String, Object> refused) {
        if (refused.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        refused.forEach((reason, count) -> parts.add(reason + "=" + count));
        return String.join(" ", parts);
    }

    private void printAligned(List<List<String>> rows) {
        int[] widths = new int[rows.getFirst().size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            out.println(line);
        }
    }

    private static Object parse(String json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return value(p);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Object> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                map.put(name, value(p));
            }
            return map;
        }
        if (token == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(value(p));
            }
            return list;
        }
        if (token == null) {
            throw new IOException("empty document");
        }
        return switch (token) {
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> p.getText();
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}
