package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.protowrap.api.Options;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.spi.ValidatorProvider;

/**
 * Provides {@code http}: HTTP/1.0 and HTTP/1.1 requests validated strictly (RFC 9110, RFC 9112),
 * bodies streamed with bounded memory, request smuggling stopped before the backend.
 *
 * <p>Options (all optional): {@code maxRequestLine} (8k), {@code maxFieldLine} (8k),
 * {@code maxHeaderSection} (64k), {@code maxFields} (100), {@code maxBodySize} (no limit),
 * {@code maxPipelined} (100, requests awaiting a response with testReply), {@code methods}
 * (any method token; a list makes it an allowlist), {@code allowConnect} (false; needs testReply),
 * {@code upgradeProtocols} (websocket: the protocols an Upgrade request may ask for),
 * {@code denyPaths} (regular expressions searched in the raw path), {@code exposeRule} (true: the refusal's body names the rule),
 * {@code sanitize} (false; needs testReply), {@code healthCheckPath} ("/"),
 * {@code healthCheckHost} ("localhost"). Line limits count the line end.
 *
 * <p>The wrapper's {@code maxLineLength}, when set, is the default of {@code maxRequestLine} and
 * {@code maxFieldLine} (and of {@code maxHeaderSection} when it is larger than 64k); it may not be
 * below 64. Rules that guard framing are declared enforce-only
 * ({@link org.protowrap.api.Rule#enforceOnly}).
 */
public final class HttpValidatorProvider implements ValidatorProvider {

    private static final long MIB = 1L << 20;
    /**
     * The request line and field line limit without {@code maxLineLength}: RFC 9112 section 3 has
     * recipients support request lines of at least 8000 octets, and real clients send Cookie fields
     * of several KiB.
     */
    private static final int DEFAULT_LINE_LENGTH = 8192;
    /** Shorter lines could not hold a request line with a useful target, or most fields. */
    private static final int MIN_LINE_LENGTH = 64;

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "HTTP/1.x requests validated strictly, bodies streamed, smuggling refused";
    }

    @Override
    public List<Rule> rules() {
        return Arrays.stream(HttpRule.values()).map(HttpRule::rule).toList();
    }

    @Override
    public Validator create(ValidatorConfig config) {
        Options options = config.options();
        HttpPolicy policy = readPolicy(config, options);
        String path = options.string("healthCheckPath", "/");
        String host = options.string("healthCheckHost", "localhost");
        if (!isOriginForm(path)) {
            options.problem("healthCheckPath", "must be an origin-form path such as /health, not \"" + path + "\"");
        }
        if (!host.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?")) {
            options.problem("healthCheckHost", "must be host or host:port, not \"" + host + "\"");
        }
        config.requireMaxLineLength(MIN_LINE_LENGTH, "HTTP request and field lines",
                "this validator's least maxRequestLine and maxFieldLine");
        return new HttpValidator(policy, new HttpHealthProbe(path, host));
    }

    private static HttpPolicy readPolicy(ValidatorConfig config, Options options) {
        int lineDefault = config.lineLimit(DEFAULT_LINE_LENGTH);
        int maxRequestLine = (int) options.byteSize("maxRequestLine", lineDefault, MIN_LINE_LENGTH, 16 * MIB);
        int maxFieldLine = (int) options.byteSize("maxFieldLine", lineDefault, MIN_LINE_LENGTH, 16 * MIB);
        int maxHeaderSection = (int) options.byteSize("maxHeaderSection", Math.max(65536, maxFieldLine), 256, 64 * MIB);
        if (maxHeaderSection < maxFieldLine) {
            options.problem("maxHeaderSection", "must be at least maxFieldLine (" + maxFieldLine + ")");
        }
        int maxFields = options.integer("maxFields", 100, 1, 100_000);
        long maxBodySize = options.has("maxBodySize") ? options.byteSize("maxBodySize", -1, 0, Long.MAX_VALUE) : -1;
        int maxPipelined = options.integer("maxPipelined", 100, 1, 100_000);
        List<byte[]> methods = methods(options);
        boolean allowConnect = needsTestReply(options, "allowConnect", config.testReply());
        List<String> upgradeProtocols = upgradeProtocols(options);
        List<Pattern> denyPaths = denyPaths(options);
        boolean exposeRule = options.bool("exposeRule", true);
        boolean sanitize = needsTestReply(options, "sanitize", config.testReply());
        RuleMode[] modes = new RuleMode[HttpRule.values().length];
        for (HttpRule rule : HttpRule.values()) {
            modes[rule.ordinal()] = config.mode(rule.rule());
        }
        return new HttpPolicy(modes, maxRequestLine, maxFieldLine, maxHeaderSection, maxFields, maxBodySize, maxPipelined,
                methods, allowConnect, upgradeProtocols, denyPaths, exposeRule, sanitize, config.testReply());
    }

    private static boolean needsTestReply(Options options, String key, boolean testReply) {
        boolean value = options.bool(key, false);
        if (value && !testReply) {
            options.problem(key, "needs testReply: true (the wrapper must see the responses to do this safely)");
        }
        return value;
    }

    private static List<byte[]> methods(Options options) {
        List<String> names = options.has("methods") ? options.strings("methods") : List.of();
        List<byte[]> methods = new ArrayList<>();
        for (String name : names) {
            if (name.equals("CONNECT")) {
                options.problem("methods", "CONNECT is enabled with allowConnect: true, not in methods");
            } else if (name.isEmpty() || !name.chars().allMatch(HttpGrammar::isTchar) || name.chars().anyMatch(c -> c > 0x7e)) {
                options.problem("methods", "\"" + name + "\" is not a method name (a token such as GET; methods are case-sensitive)");
            } else {
                methods.add(name.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return List.copyOf(methods);
    }

    private static List<String> upgradeProtocols(Options options) {
        List<String> names = options.has("upgradeProtocols") ? options.strings("upgradeProtocols") : List.of("websocket");
        List<String> protocols = new ArrayList<>();
        for (String name : names) {
            if (name.isEmpty() || !name.chars().allMatch(c -> c < 0x7f && HttpGrammar.isTchar(c))) {
                options.problem("upgradeProtocols", "\"" + name + "\" is not a protocol name (a token such as websocket)");
            } else {
                protocols.add(name.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return List.copyOf(protocols);
    }

    private static List<Pattern> denyPaths(Options options) {
        List<Pattern> patterns = new ArrayList<>();
        for (String regex : options.strings("denyPaths")) {
            try {
                patterns.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                options.problem("denyPaths", "\"" + regex + "\" is not a regular expression: " + e.getDescription());
            }
        }
        return List.copyOf(patterns);
    }

    private static boolean isOriginForm(String path) {
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c > 0x7e)) {
            return false;
        }
        ByteBuffer bytes = ByteBuffer.wrap(path.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < bytes.limit(); i++) {
            if (!HttpGrammar.isTargetChar(bytes.get(i))) {
                return false;
            }
        }
        return true;
    }
}
