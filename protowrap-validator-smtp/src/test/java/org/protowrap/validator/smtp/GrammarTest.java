package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.protowrap.validator.smtp.CommandParser.Parsed;
import org.protowrap.validator.smtp.CommandParser.Refused;
import org.protowrap.validator.smtp.CommandParser.SmtpCommand;

/** RFC 5321 address grammar and command parsing, case by case. */
class GrammarTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "[192.0.2.1]                 | true",
        "[256.0.0.1]                 | false",
        "[192.0.2]                   | false",
        "[IPv6:2001:db8::1]          | true",
        "[IPv6:::1]                  | true",
        "[IPv6:1:2:3:4:5:6:7:8]      | true",
        "[IPv6:1:2:3:4:5:6:7]        | false",
        "[IPv6:1::2::3]              | false",
        "[IPv6:::ffff:192.0.2.1]     | true",
        "[IPv6:12345::1]             | false",
        "[x400:c=us;a=;p=example]    | true",
        "[]                          | false",
        "192.0.2.1                   | false",
    })
    void addressLiterals(String literal, boolean valid) {
        assertEquals(valid, MailboxGrammar.isAddressLiteral(literal));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "example.org          | true",
        "a-b.example          | true",
        "-a.example           | false",
        "a-.example           | false",
        "a..example           | false",
        "example.org.         | false",
        "under_score.example  | false",
        "localhost            | true",
    })
    void domains(String domain, boolean valid) {
        assertEquals(valid, MailboxGrammar.isDomain(domain));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "<a@example.org>                       | true",
        "<>                                    | true",
        "<a.b+tag@example.org>                 | true",
        "<@r1.example,@r2.example:a@example.org> | true",
        "<a@example.org                        | false",
        "a@example.org                         | false",
        "<a@>                                  | false",
        "<@example.org>                        | false",
        "<.a@example.org>                      | false",
        "<a.@example.org>                      | false",
        "<a b@example.org>                     | false",
    })
    void reversePaths(String path, boolean valid) {
        assertEquals(valid, MailboxGrammar.path(path, true, false, false).isPresent());
    }

    @Test
    void quotedLocalParts() {
        assertTrue(MailboxGrammar.path("<\"a b\"@example.org>", false, false, false).isPresent());
        assertTrue(MailboxGrammar.path("<\"a\\\"b\"@example.org>", false, false, false).isPresent());
        assertFalse(MailboxGrammar.path("<\"a\"b\"@example.org>", false, false, false).isPresent());
        assertFalse(MailboxGrammar.path("<\"a\u0001\"@example.org>", false, false, false).isPresent());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME | MAIL",
        "rcpt to:<Postmaster>                             | RCPT",
        "BDAT 1000 last                                   | BDAT",
        "AUTH PLAIN =                                     | AUTH",
        "EHLO [IPv6:::1]                                  | EHLO",
        "NOOP anything goes here                          | NOOP",
    })
    void wellFormedCommands(String line, Verb verb) {
        Parsed parsed = parse(line);
        assertEquals(verb, assertInstanceOf(SmtpCommand.class, parsed, parsed.toString()).verb());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "MAIL FROM:<a@example.org>  SIZE=1    | smtp.command.syntax",
        "MAIL FROM:<a@example.org> SIZE       | smtp.command.syntax",
        "MAIL FROM:<a@example.org> X-FOO=1    | smtp.param.unknown",
        "RCPT TO:<a@example.org> SIZE=1       | smtp.param.unknown",
        "RCPT TO:<a@example.org> ORCPT=bad    | smtp.command.syntax",
        "MAIL TO:<a@example.org>              | smtp.command.syntax",
        "BDAT                                 | smtp.command.syntax",
        "BDAT 1234567890123456789             | smtp.command.syntax",
        "BDAT 10 LAST extra                   | smtp.command.syntax",
        "AUTH                                 | smtp.command.syntax",
        "AUTH PLAIN abc                       | smtp.command.syntax",
        "TURN                                 | smtp.command.unknown",
        "MAILFROM:<a@example.org>             | smtp.command.unknown",
        "QUIT now                             | smtp.command.syntax",
    })
    void malformedCommands(String line, String rule) {
        Parsed parsed = parse(line);
        assertEquals(rule, assertInstanceOf(Refused.class, parsed, parsed.toString()).rule().rule().name());
    }

    private static Parsed parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return CommandParser.parse(bytes, bytes.length, false);
    }
}
