package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Violation;

/**
 * Applies a rule's mode when the rule matches: {@code off} ignores the match, {@code log}
 * reports it and lets the unit through, {@code enforce} records the refusal for the session to
 * answer. Holds the refusal of the current message.
 */
final class RuleEnforcer {

    /** An enforced rule that refused the message, with what the log says about it. */
    private record Refused(HttpRule rule, String detail, String excerpt) {}

    private final HttpPolicy policy;
    private Refused refused = new Refused(HttpRule.REQUEST_LINE_INVALID, "", "");

    RuleEnforcer(HttpPolicy policy) {
        this.policy = policy;
    }

    /**
     * The rule matched on {@code src[from, to)}. Returns whether the unit is refused; a refusal
     * is not reported here but by the session when it answers.
     */
    boolean refuses(HttpRule rule, String detail, ByteBuffer src, int from, int to, Decisions out) {
        RuleMode mode = policy.mode(rule);
        if (mode == RuleMode.OFF) {
            return false;
        }
        String excerpt = Excerpt.of(src, from, to);
        if (mode == RuleMode.LOG) {
            out.report(new Violation(rule.ruleName(), RuleMode.LOG, detail, excerpt));
            return false;
        }
        refuse(rule, detail, excerpt);
        return true;
    }

    /** A refusal that no mode can relax (a limit of memory, or the framing of the message). */
    void refuse(HttpRule rule, String detail, String excerpt) {
        refused = new Refused(rule, detail, excerpt);
    }

    HttpRule refusedRule() {
        return refused.rule();
    }

    /** The refusal, as the operator's log sees it. */
    Violation refusal() {
        return new Violation(refused.rule().ruleName(), RuleMode.ENFORCE, refused.detail(), refused.excerpt());
    }
}
