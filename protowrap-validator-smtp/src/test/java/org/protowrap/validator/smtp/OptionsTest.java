package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.Problem;
import org.protowrap.api.ValidatorConfig;

/** Bad option values are reported as problems naming their key, all at once. */
class OptionsTest {

    private static List<Problem> problems(Map<String, Object> values, boolean testReply) {
        Options options = MapOptions.of(values);
        new SmtpValidatorProvider().create(ValidatorConfig.of("mail", 512, testReply, options));
        return options.problems();
    }

    @Test
    void defaultsHaveNoProblems() {
        assertEquals(List.of(), problems(Map.of(), true));
    }

    @Test
    void everySupportedOptionIsAccepted() {
        Map<String, Object> all = Map.ofEntries(
                Map.entry("maxCommandLineLength", 1024), Map.entry("maxTextLineLength", 2000),
                Map.entry("normalize", true), Map.entry("starttls", "passthrough"), Map.entry("maxRecipients", 50),
                Map.entry("maxMessageSize", "25MiB"), Map.entry("allowedRecipientDomains", List.of("example.org", ".example.net")),
                Map.entry("relayAfterAuth", false), Map.entry("senderDenyPatterns", List.of("@spam\\.example$")),
                Map.entry("recipientDenyPatterns", "^root@"), Map.entry("maxErrors", 5), Map.entry("maxUnknownCommands", 2),
                Map.entry("healthEhloName", "probe.example.org"));
        assertEquals(List.of(), problems(all, true));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "maxCommandLineLength | 100         | out of range",
        "maxCommandLineLength | many        | whole number",
        "maxTextLineLength    | 999         | out of range",
        "normalize            | yes         | true or false",
        "starttls             | allow       | deny, passthrough",
        "maxRecipients        | -1          | out of range",
        "maxMessageSize       | 10 bananas  | size",
        "maxErrors            | 0           | out of range",
        "maxUnknownCommands   | 0           | out of range",
        "healthEhloName       | bad name!   | not a domain name",
        "senderDenyPatterns   | ([a-z       | not a regular expression",
        "recipientDenyPatterns| *root       | not a regular expression",
        "allowedRecipientDomains | exa mple.org | not a domain name",
        "unknownOption        | 1           | unknown key",
    })
    void aBadValueIsAProblemNamingItsKey(String key, String value, String message) {
        Object parsed = value.matches("-?[0-9]+") ? (Object) Integer.valueOf(value) : value;
        List<Problem> problems = problems(Map.of(key, parsed), true);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("options." + key, problems.getFirst().key());
        assertTrue(problems.getFirst().message().contains(message), problems.getFirst().message());
    }

    @Test
    void allProblemsAreReportedTogether() {
        List<Problem> problems = problems(Map.of("maxErrors", 0, "starttls", "maybe", "senderDenyPatterns", List.of("ok", "(")),
                true);
        assertEquals(List.of("options.maxErrors", "options.senderDenyPatterns", "options.starttls"),
                problems.stream().map(Problem::key).sorted().toList());
    }

    @Test
    void testReplyOffIsAProblem() {
        List<Problem> problems = problems(Map.of(), false);
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().message().contains("testReply: true"), problems.getFirst().message());
    }
}
