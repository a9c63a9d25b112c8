package org.protowrap.validator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.Problem;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.testkit.SessionCorpus;

/** Bad option values are reported as problems that name the key; good ones are accepted silently. */
class OptionsTest {

    private static List<Problem> problems(boolean testReply, Map<String, ?> values) {
        Options options = MapOptions.of(values);
        new HttpValidatorProvider().create(new ValidatorConfig("web", 512, testReply, Map.of(), options));
        return options.problems();
    }

    static List<Arguments> badOptions() {
        return List.of(
                Arguments.of(Map.of("maxFieldLine", "lots"), "options.maxFieldLine"),
                Arguments.of(Map.of("maxRequestLine", 10), "options.maxRequestLine"),
                Arguments.of(Map.of("maxFields", 0), "options.maxFields"),
                Arguments.of(Map.of("maxBodySize", "-5"), "options.maxBodySize"),
                Arguments.of(Map.of("maxPipelined", "many"), "options.maxPipelined"),
                Arguments.of(Map.of("maxHeaderSection", "1k", "maxFieldLine", "4k"), "options.maxHeaderSection"),
                Arguments.of(Map.of("methods", List.of("GET", "GE T")), "options.methods"),
                Arguments.of(Map.of("methods", List.of("GET", "CONNECT")), "options.methods"),
                Arguments.of(Map.of("denyPaths", List.of("^/ok", "(unclosed")), "options.denyPaths"),
                Arguments.of(Map.of("exposeRule", "yes"), "options.exposeRule"),
                Arguments.of(Map.of("upgradeProtocols", List.of("websocket", "h2 c")), "options.upgradeProtocols"),
                Arguments.of(Map.of("healthCheckPath", "health"), "options.healthCheckPath"),
                Arguments.of(Map.of("healthCheckHost", "a b"), "options.healthCheckHost"),
                Arguments.of(Map.of("maxBodysize", "1m"), "options.maxBodysize"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("badOptions")
    void badValueNamesItsKey(Map<String, ?> values, String key) {
        List<Problem> problems = problems(true, values);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(key, problems.get(0).key(), problems.toString());
    }

    @Test
    void optionsThatNeedResponsesAreRefusedWithoutTestReply() {
        List<Problem> problems = problems(false, Map.of("allowConnect", true, "sanitize", true));
        assertEquals(List.of("options.allowConnect", "options.sanitize"), problems.stream().map(Problem::key).toList());
        assertTrue(problems.get(0).message().contains("testReply"), problems.toString());
    }

    @Test
    void everyOptionAtOnceWithGoodValues() {
        Map<String, Object> values = Map.ofEntries(
                Map.entry("maxRequestLine", "4k"), Map.entry("maxFieldLine", "4KiB"), Map.entry("maxHeaderSection", "32k"),
                Map.entry("maxFields", 50), Map.entry("maxBodySize", "10m"), Map.entry("maxPipelined", 16),
                Map.entry("methods", List.of("GET", "PROPFIND")), Map.entry("allowConnect", true), Map.entry("upgradeProtocols", List.of("websocket", "h2c")),
                Map.entry("denyPaths", List.of("^/admin")), Map.entry("exposeRule", true), Map.entry("sanitize", true),
                Map.entry("healthCheckPath", "/health?deep=1"), Map.entry("healthCheckHost", "backend.local:8080"));
        assertEquals(List.of(), problems(true, values));
    }

    @Test
    void defaultsHaveNoProblems() {
        assertEquals(List.of(), problems(true, Map.of()));
        assertEquals(List.of(), problems(false, Map.of()));
    }

    @Test
    void framingRulesAreDeclaredEnforceOnlyAndStayEnforcedWhateverTheMapSays() {
        Map<String, Rule> rules = new HttpValidatorProvider().rules().stream()
                .collect(java.util.stream.Collectors.toMap(Rule::name, r -> r));
        assertTrue(rules.get("http.cl.invalid").enforceOnly() && rules.get("http.chunk.invalid").enforceOnly());
        assertFalse(rules.get("http.line.bare-lf").enforceOnly(), "bare-lf is a named relaxation, the others frame");
        ValidatorConfig config = new ValidatorConfig("web", 512, true,
                Map.of("http.cl.invalid", RuleMode.LOG, "http.line.bare-lf", RuleMode.LOG), MapOptions.of(Map.of()));
        assertEquals(RuleMode.ENFORCE, config.mode(rules.get("http.cl.invalid")));
        assertEquals(RuleMode.LOG, config.mode(rules.get("http.line.bare-lf")));
    }

    @Test
    void policyRulesCanBeRelaxed() {
        ValidatorConfig config = new ValidatorConfig("web", 512, true,
                Map.of("http.header.underscore", RuleMode.OFF, "http.method.not-allowed", RuleMode.LOG), MapOptions.of(Map.of()));
        assertTrue(new HttpValidatorProvider().create(config).newSession(SessionCorpus.INFO) instanceof HttpSession);
    }
}
