package org.example.finger;

import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.spi.ValidatorProvider;

/**
 * {@code protocol: finger}. A provider needs a public constructor without arguments, and must be
 * cheap to make: the engine makes one per process, even when no wrapper selects it.
 */
public final class FingerValidatorProvider implements ValidatorProvider {

    static final Rule TOO_LONG = new Rule("finger.query.too-long", RuleMode.ENFORCE,
            "a query longer than maxLineLength (or the option maxQueryLength)");
    static final Rule CONTROL = new Rule("finger.query.control", RuleMode.ENFORCE,
            "a control character in the query (only tab is allowed)");
    static final Rule FORWARDING = new Rule("finger.query.forwarding", RuleMode.ENFORCE,
            "a query for another host (user@host): RFC 1288 section 3.2.1 asks servers to refuse forwarding");
    static final Rule BARE_LF = new Rule("finger.query.bare-lf", RuleMode.LOG,
            "a query ended by LF alone, not CRLF (passed on with CRLF)");
    static final Rule EXTRA = new Rule("finger.query.extra", RuleMode.ENFORCE,
            "bytes after the query line: Finger has one query per connection");

    @Override
    public String name() {
        return "finger";
    }

    @Override
    public String description() {
        return "Finger (RFC 1288): one query line, no forwarding (example plugin)";
    }

    @Override
    public List<Rule> rules() {
        return List.of(TOO_LONG, CONTROL, FORWARDING, BARE_LF, EXTRA);
    }

    @Override
    public Validator create(ValidatorConfig config) {
        int max = config.options().integer("maxQueryLength", Math.min(config.maxLineLength(), 256), 1, 4096);
        return new FingerValidator(config, max);
    }
}
