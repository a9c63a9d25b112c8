package org.protowrap.bench;

import org.openjdk.jmh.infra.Blackhole;

/**
 * Guards a benchmark against measuring a refusal: a corpus the validator refuses is cheap to
 * "validate", so each benchmark checks at setup that its corpus goes through untouched.
 */
final class Accepted {

    static final Blackhole BLACKHOLE = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    private Accepted() {}

    /** The bytes forwarded, or -1 when anything was refused, reported or closed. */
    static long forwarded(DiscardingDecisions out) {
        return out.violations == 0 && out.closes == 0 ? out.toServer : -1;
    }

    /**
     * The bytes forwarded by a session that ends as the protocol ends it (SMTP's 221 to QUIT:
     * the wrapper closes with the server), or -1 when anything was refused or reported, or the
     * session was not closed exactly once.
     */
    static long forwardedThenClosed(DiscardingDecisions out) {
        return out.violations == 0 && out.closes == 1 ? out.toServer : -1;
    }

    static void check(String what, long forwarded) {
        if (forwarded <= 0) {
            throw new IllegalStateException("the validator refused the " + what + " corpus: fix the benchmark");
        }
    }
}
