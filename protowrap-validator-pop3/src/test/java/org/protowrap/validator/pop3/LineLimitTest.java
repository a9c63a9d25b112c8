package org.protowrap.validator.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.ClientTls;
import org.protowrap.api.MapOptions;
import org.protowrap.api.OptionsException;
import org.protowrap.api.Problem;
import org.protowrap.api.ValidatorConfig;

/** The wrapper's maxLineLength is the command line limit when set; the RFC's 255 octets when not. */
class LineLimitTest {

    private static ValidatorConfig config(int maxLineLength, boolean set, Map<String, ?> options) {
        return new ValidatorConfig("mail", maxLineLength, true, Map.of(), MapOptions.of(options), ClientTls.NONE, set);
    }

    @Test
    void unsetCommandLinesHaveTheRfcsLimit() {
        assertEquals(255, Pop3Settings.read(config(512, false, Map.of())).maxCommandLineLength());
        assertEquals(255, Pop3Settings.read(config(4096, false, Map.of())).maxCommandLineLength());
    }

    @Test
    void setItIsTheCommandLineLimit() {
        assertEquals(2048, Pop3Settings.read(config(2048, true, Map.of())).maxCommandLineLength());
    }

    @Test
    void theValidatorsOwnOptionOverridesIt() {
        assertEquals(1000, Pop3Settings.read(config(2048, true, Map.of("maxCommandLineLength", 1000)))
                .maxCommandLineLength());
    }

    @Test
    void aValueBelowTheRfcsIsRefusedUnderTheWrappersKey() {
        OptionsException e = assertThrows(OptionsException.class,
                () -> new Pop3ValidatorProvider().create(config(100, true, Map.of())));
        List<Problem> problems = e.problems();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("maxLineLength", problems.get(0).key());
        assertTrue(problems.get(0).message().startsWith("100 is below 255, the least "), problems.get(0).message());
    }
}
