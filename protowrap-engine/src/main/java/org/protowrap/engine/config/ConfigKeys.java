package org.protowrap.engine.config;

import static org.protowrap.engine.config.ConfigKey.bool;
import static org.protowrap.engine.config.ConfigKey.choice;
import static org.protowrap.engine.config.ConfigKey.duration;
import static org.protowrap.engine.config.ConfigKey.integer;
import static org.protowrap.engine.config.ConfigKey.string;
import static org.protowrap.engine.config.ConfigKey.structured;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.protowrap.api.MapOptions;

/**
 * Every key of the configuration file, declared once, section by section, in the order the
 * README's tables list them. A section's keys are all known before any is read, so a misspelt
 * key is answered with the declared ones.
 */
public final class ConfigKeys {

    private ConfigKeys() {}

    /**
     * The keys of one map of the file.
     *
     * @param path how the README's tables prefix the keys ({@code tls.}), empty for none
     * @param keys the keys, in table order
     */
    public record Section(String path, List<ConfigKey> keys) {

        /** The key of this name, if declared. */
        public Optional<ConfigKey> key(String name) {
            return keys.stream().filter(k -> k.name().equals(name)).findFirst();
        }

        /** Makes every declared key a valid key of {@code section}, read or not. */
        MapOptions declare(MapOptions section) {
            keys.forEach(k -> section.has(k.name()));
            return section;
        }
    }

    // --- top level
    static final ConfigKey LOG_LEVEL = integer("logLevel", 2, 0, 5,
            "0 errors only, 1 warnings and rejections, 2 one line per connection");
    static final ConfigKey PLUGINS_DIR = string("pluginsDir", "plugins", "`plugins`", "folder of plugin jars");
    static final ConfigKey USER = string("user", null, "none", "after binding every listener, switch to this user");
    static final ConfigKey GROUP = string("group", null, "none",
            "after binding every listener, switch to this user (and group, default the user's)");
    static final ConfigKey ALLOW_ROOT = bool("allowRoot", false, "serve as root anyway");
    static final ConfigKey SHUTDOWN_GRACE = duration("shutdownGrace", Duration.ofSeconds(30), "30s",
            "on SIGTERM, how long in-flight connections may finish");
    /** One event loop per core the JVM may use (which honours cgroup limits and -XX:ActiveProcessorCount). */
    private static final int CORES = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** More loops than 256 cannot help: each is a thread with its own selector. */
    static final ConfigKey IO_THREADS = integer("ioThreads", CORES, 1, 256,
            "the number of cores", "event loops (I/O threads) that serve every connection");
    static final ConfigKey ACCESS_LOG = choice("accessLog", AccessLogFormat.class, AccessLogFormat.TEXT,
            "access lines as `key=value` text, or `json`");
    static final ConfigKey WRAPPERS = structured("wrappers", "list", "required", "the list of wrappers");
    static final ConfigKey ADMIN = structured("admin", "map", "none", "the operations endpoint");

    public static final Section TOP = new Section("", List.of(LOG_LEVEL, PLUGINS_DIR, USER, GROUP, ALLOW_ROOT,
            SHUTDOWN_GRACE, IO_THREADS, ACCESS_LOG, WRAPPERS, ADMIN));

    // --- admin:
    static final ConfigKey ADMIN_LISTEN_ADDR = string("listenAddr", "127.0.0.1", "`127.0.0.1`",
            "the address the operations endpoint listens on");
    static final ConfigKey ADMIN_LISTEN_PORT = integer("listenPort", 8404, 1, 65535,
            "the port the operations endpoint listens on");
    static final ConfigKey ADMIN_TOKEN_FILE = string("tokenFile", null, "none",
            "bearer token for POSTs; relative to the configuration's folder");

    public static final Section ADMIN_SECTION = new Section("admin.",
            List.of(ADMIN_LISTEN_ADDR, ADMIN_LISTEN_PORT, ADMIN_TOKEN_FILE));

    // --- a wrapper
    static final ConfigKey NAME = string("name", null, "required", "unique; used in logs and metrics");
    static final ConfigKey PROTOCOL = string("protocol", null, "required", "validator by name");
    static final ConfigKey LISTEN_ADDR = string("listenAddr", "0.0.0.0", "`0.0.0.0`", "address to listen on");
    static final ConfigKey LISTEN_PORT = integer("listenPort", 0, 1, 65535, "required", "port to listen on");
    static final ConfigKey DEST_TYPE = choice("destType", DestType.class, DestType.IP,
            "`ip`: TCP backends from `destAddr`; `pipe`: a program per connection, from `destCommand`");
    static final ConfigKey DEST_ADDR = structured("destAddr", "list", "required for `ip`", "one backend, or a list");
    static final ConfigKey DEST_PORT = integer("destPort", 0, 1, 65535, "none",
            "port for `destAddr` entries that have none");
    static final ConfigKey DEST_COMMAND = structured("destCommand", "list", "required for `pipe`",
            "program and arguments, spoken to on stdin/stdout");
    static final ConfigKey BALANCER = string("balancer", "roundrobin", "`roundrobin`",
            "balancer by name");
    static final ConfigKey BALANCER_OPTIONS = structured("balancerOptions", "map", "`{}`",
            "the balancer's own options");
    static final ConfigKey MAX_LINE_LENGTH = integer("maxLineLength", 512, 2, 1 << 20, "the protocol's",
            "the base rule: longest client line, line end included");
    static final ConfigKey TEST_REPLY = bool("testReply", true, "the validator also sees the server's replies");
    static final ConfigKey OPTIONS = structured("options", "map", "`{}`", "the validator's own options");
    static final ConfigKey RULES = structured("rules", "map", "`{}`", "per-rule mode");
    static final ConfigKey CONNECT_TIMEOUT = duration("connectTimeout", Duration.ofSeconds(5), "5s",
            "connecting to one backend");
    static final ConfigKey IDLE_TIMEOUT = duration("idleTimeout", Duration.ofMinutes(5), "5m",
            "no byte in either direction");
    static final ConfigKey REQUEST_TIMEOUT = duration("requestTimeout", Duration.ofSeconds(30), "30s",
            "from accept until the client's first complete unit is forwarded, and then each unit the validator times");
    static final ConfigKey SERVER_TIMEOUT = duration("serverTimeout", Duration.ofSeconds(60), "60s",
            "how long a server that owes an answer");
    static final ConfigKey SESSION_TIMEOUT = duration("sessionTimeout", Duration.ZERO, "0s", "the whole connection");
    static final ConfigKey SERVER_KEEP_ALIVE = duration("serverKeepAlive", Duration.ofSeconds(1), "1s",
            "how long a backend connection left idle by a client that ended waits for the next client");
    static final ConfigKey MAX_CONNECTIONS = integer("maxConnections", 10_000, 1, 1_000_000,
            "connections at once through this wrapper");
    static final ConfigKey MAX_CONNECTIONS_PER_CLIENT = integer("maxConnectionsPerClient", 256, 0, 1_000_000,
            "connections at once from one client address");
    static final ConfigKey CONNECT_ATTEMPTS = integer("connectAttempts", 3, 1, 16,
            "backends tried for one connection (1..16)");
    static final ConfigKey HEALTH_CHECK = structured("healthCheck", "map", "none", "active checks of every backend");
    static final ConfigKey ALLOW = structured("allow", "list", "everyone", "clients allowed");
    static final ConfigKey DENY = structured("deny", "list", "none", "clients refused, checked before `allow`");
    static final ConfigKey TARPIT = duration("tarpit", Duration.ZERO, "0s",
            "how long a client refused by `allow`/`deny`, `rateLimit` or `proxyProtocol` waits for its refusal");
    static final ConfigKey RATE_LIMIT = structured("rateLimit", "map", "none", "new connections per client address");
    static final ConfigKey PROXY_PROTOCOL = structured("proxyProtocol", "map", "none",
            "`{trusted: [...]}`: read a PROXY v1 or v2 header from these peers");
    static final ConfigKey SEND_PROXY = choice("sendProxy", EdgeConfig.ProxyVersion.class, null,
            "`v1` or `v2`: write a PROXY header on every backend connection");
    static final ConfigKey TLS = structured("tls", "map", "none", "TLS with the clients");
    static final ConfigKey DEST_TLS = structured("destTls", "map", "none", "TLS with the backends");

    public static final Section WRAPPER = new Section("", List.of(NAME, PROTOCOL, LISTEN_ADDR, LISTEN_PORT, DEST_TYPE,
            DEST_ADDR, DEST_PORT, DEST_COMMAND, BALANCER, BALANCER_OPTIONS, MAX_LINE_LENGTH, TEST_REPLY, OPTIONS, RULES,
            CONNECT_TIMEOUT, IDLE_TIMEOUT, REQUEST_TIMEOUT, SERVER_TIMEOUT, SESSION_TIMEOUT, SERVER_KEEP_ALIVE,
            MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT, CONNECT_ATTEMPTS, HEALTH_CHECK, ALLOW, DENY, TARPIT, RATE_LIMIT,
            PROXY_PROTOCOL, SEND_PROXY, TLS, DEST_TLS));

    // --- a destAddr entry written as a map
    static final ConfigKey BACKEND_ADDR = string("addr", null, "required", "the backend's host");
    static final ConfigKey BACKEND_PORT = integer("port", 0, 1, 65535, "`destPort`", "the backend's port");
    static final ConfigKey BACKEND_WEIGHT = integer("weight", 1, 1, 1000, "the backend's relative share");
    static final ConfigKey BACKEND_BACKUP = bool("backup", false, "used only while no primary is up");
    static final ConfigKey BACKEND_MAX_CONNECTIONS = integer("maxConnections", 0, 0, 1_000_000,
            "connections open to it through this wrapper; 0 is no limit");

    public static final Section BACKEND = new Section("destAddr[].", List.of(BACKEND_ADDR, BACKEND_PORT,
            BACKEND_WEIGHT, BACKEND_BACKUP, BACKEND_MAX_CONNECTIONS));

    // --- healthCheck:
    static final ConfigKey CHECK_INTERVAL = duration("interval", Duration.ofSeconds(10), "10s",
            "time between checks of one backend; more than 0s");
    static final ConfigKey CHECK_TIMEOUT = duration("timeout", Duration.ofSeconds(2), "2s",
            "time one check may take; more than 0s");
    static final ConfigKey CHECK_RISE = integer("rise", 2, 1, 100, "consecutive passed checks that bring a backend up");
    static final ConfigKey CHECK_FALL = integer("fall", 3, 1, 100, "consecutive failures that take a backend down");

    public static final Section HEALTH_CHECK_SECTION = new Section("healthCheck.",
            List.of(CHECK_INTERVAL, CHECK_TIMEOUT, CHECK_RISE, CHECK_FALL));

    // --- rateLimit: and proxyProtocol:
    static final ConfigKey RATE_CONNECTIONS = integer("connections", 0, 1, 1_000_000, "required",
            "new connections allowed per client address in `per`");
    static final ConfigKey RATE_PER = duration("per", Duration.ofSeconds(1), "1s", "the period; at most 24h");
    static final ConfigKey RATE_BURST = integer("burst", 0, 1, 1_000_000, "`connections`",
            "connections at once before the rate applies");

    public static final Section RATE_LIMIT_SECTION = new Section("rateLimit.",
            List.of(RATE_CONNECTIONS, RATE_PER, RATE_BURST));

    static final ConfigKey PROXY_TRUSTED = structured("trusted", "list", "required",
            "the peers whose PROXY header names the client");

    public static final Section PROXY_PROTOCOL_SECTION = new Section("proxyProtocol.", List.of(PROXY_TRUSTED));

    // --- tls: and destTls:
    static final ConfigKey TLS_CERTIFICATE = string("certificate", null, "none", "the certificate chain");
    static final ConfigKey TLS_KEY = string("key", null, "none",
            "the certificate chain (PEM, the server's certificate first) and its private key");
    static final ConfigKey TLS_CERTIFICATES = structured("certificates", "list", "none",
            "instead of the two above, several: `[{certificate, key}, ...]`");
    static final ConfigKey TLS_MODE = choice("mode", TlsConfig.Mode.class, TlsConfig.Mode.IMPLICIT,
            "`implicit`: TLS from the client's first byte");
    static final ConfigKey TLS_PROTOCOLS = structured("protocols", "list", "`[TLSv1.3, TLSv1.2]`",
            "versions offered; older ones are refused");
    static final ConfigKey TLS_CIPHERS = structured("ciphers", "list",
            "TLS 1.3's suites, and for TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305 only",
            "cipher suites, in order of preference");

    public static final Section TLS_SECTION = new Section("tls.", List.of(TLS_CERTIFICATE, TLS_KEY, TLS_CERTIFICATES,
            TLS_MODE, TLS_PROTOCOLS, TLS_CIPHERS));

    static final ConfigKey DEST_TLS_VERIFY = bool("verify", true, "check the backend's certificate");
    static final ConfigKey DEST_TLS_CA = string("ca", null, "the JDK's authorities", "a PEM file of the authorities to trust");
    static final ConfigKey DEST_TLS_SERVER_NAME = string("serverName", null, "the backend's host",
            "the name sent in SNI and required in the backend's certificate");

    public static final Section DEST_TLS_SECTION = new Section("destTls.",
            List.of(DEST_TLS_VERIFY, DEST_TLS_CA, DEST_TLS_SERVER_NAME));

    /** Every section, for tests that compare them with the README. */
    public static final List<Section> ALL = List.of(TOP, ADMIN_SECTION, WRAPPER, BACKEND, HEALTH_CHECK_SECTION,
            RATE_LIMIT_SECTION, PROXY_PROTOCOL_SECTION, TLS_SECTION, DEST_TLS_SECTION);
}
