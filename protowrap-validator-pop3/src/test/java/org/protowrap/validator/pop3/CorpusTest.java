package org.protowrap.validator.pop3;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.protowrap.testkit.SessionCase;
import org.protowrap.testkit.SessionCorpus;

/**
 * Runs every session of the corpus ({@code src/test/resources/corpus/*.pop3}) against the
 * validator with the test kit, without I/O: once with every input in one piece, then again with
 * each input split at random points. Outputs must be the expected ones every time. The seed is
 * printed on failure; {@code -Dprotowrap.testkit.seed=N} replays one.
 */
class CorpusTest {

    static List<SessionCase> cases() {
        return SessionCorpus.load(Path.of("src", "test", "resources", "corpus"), ".pop3");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sessionGivesTheExpectedOutputsHoweverItsBytesAreSplit(SessionCase sessionCase) {
        SessionCorpus.check(sessionCase, new Pop3ValidatorProvider()::create);
    }
}
