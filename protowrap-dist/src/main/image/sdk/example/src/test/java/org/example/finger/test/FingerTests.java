package org.example.finger.test;

import java.nio.file.Path;
import java.util.List;
import org.example.finger.FingerValidatorProvider;
import org.protowrap.testkit.SessionCase;
import org.protowrap.testkit.SessionCorpus;

/**
 * The example's tests, without a test framework: every corpus case replayed whole and at random
 * splits by the test kit. Exits 1 with the first failure's message, 0 when all pass.
 */
public final class FingerTests {

    private FingerTests() {}

    public static void main(String[] args) {
        Path corpus = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        List<SessionCase> cases = SessionCorpus.load(corpus, ".corpus");
        if (cases.isEmpty()) {
            System.err.println("no corpus cases under " + corpus);
            System.exit(1);
        }
        FingerValidatorProvider provider = new FingerValidatorProvider();
        int failed = 0;
        for (SessionCase c : cases) {
            try {
                SessionCorpus.check(c, provider::create);
                System.out.println("ok      " + c);
            } catch (AssertionError e) {
                failed++;
                System.out.println("FAILED  " + e.getMessage());
            }
        }
        System.out.println(cases.size() - failed + " of " + cases.size() + " cases passed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
