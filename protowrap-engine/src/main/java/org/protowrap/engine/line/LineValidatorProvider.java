package org.protowrap.engine.line;

import java.util.List;
import java.util.Optional;
import org.protowrap.api.Options;
import org.protowrap.api.Refusal;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.spi.ValidatorProvider;

/**
 * Provides {@code line}: the base rule of the original wrapper, for any line protocol. Client
 * lines (ending in LF, with or without CR) longer than {@code maxLineLength} bytes, line end
 * included, are truncated, rejected or end the connection, as the {@code overlong} option says.
 *
 * <p>Options: {@code overlong: truncate | reject | close} (default {@code truncate}, the
 * original behaviour: the excess is dropped, reported under {@code line.too-long}, and the line
 * end kept); {@code serverFirst:
 * true} for protocols whose server speaks first (POP3, SMTP, FTP), so that the backend is
 * connected before the client has sent a line. Server bytes are relayed unchanged.
 */
public final class LineValidatorProvider implements ValidatorProvider {

    static final Rule TOO_LONG = new Rule("line.too-long", RuleMode.ENFORCE,
            "a client line is longer than maxLineLength, line end included");

    /** What happens to a line that is too long, when {@code line.too-long} is enforced. */
    public enum Overlong {
        /** Keep the first bytes and the line end; drop the excess. */
        TRUNCATE,
        /** Drop the whole line. */
        REJECT,
        /** Close the connection. */
        CLOSE
    }

    @Override
    public String name() {
        return "line";
    }

    @Override
    public String description() {
        return "the base rule: line length only, for any line protocol";
    }

    @Override
    public List<Rule> rules() {
        return List.of(TOO_LONG);
    }

    @Override
    public Validator create(ValidatorConfig config) {
        Options options = config.options();
        Overlong overlong = options.choice("overlong", Overlong.class, Overlong.TRUNCATE);
        boolean serverFirst = options.bool("serverFirst", false);
        LinePolicy policy = new LinePolicy(config.maxLineLength(), config.mode(TOO_LONG), overlong);
        return new Validator() {
            @Override
            public ValidatorSession newSession(SessionInfo session) {
                return new LineSession(policy);
            }

            @Override
            public boolean serverSpeaksFirst() {
                return serverFirst;
            }

            @Override
            public Optional<byte[]> refusal(Refusal reason) {
                return Optional.empty();
            }
        };
    }

    /** The settings every session of one wrapper shares. */
    record LinePolicy(int maxLineLength, RuleMode mode, Overlong overlong) {}
}
