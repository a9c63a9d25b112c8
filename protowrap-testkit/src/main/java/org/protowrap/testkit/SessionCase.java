package org.protowrap.testkit;

import java.util.List;
import java.util.Map;
import org.protowrap.api.ClientTls;
import org.protowrap.api.MapOptions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorConfig;

/**
 * One session of a corpus: the validator's options and rule modes, the bytes each side sends in
 * turn, and what must come out after each. {@link SessionCorpus} reads them from files and
 * replays them.
 *
 * @param name the case's name, from its {@code ===} line
 * @param source file and line where it starts
 * @param options the validator's options
 * @param rules rule modes set for this case
 * @param steps the inputs, each with what it must produce
 * @param clientTls how the wrapper speaks TLS with clients, from a {@code tls} line
 * @param unsplit whether every input is fed in one read only, never cut (an {@code unsplit} line)
 */
public record SessionCase(String name, String source, Map<String, Object> options, Map<String, RuleMode> rules,
        List<Step> steps, ClientTls clientTls, boolean unsplit) {

    /** A case without TLS towards the client whose inputs may be cut anywhere. */
    public SessionCase(String name, String source, Map<String, Object> options, Map<String, RuleMode> rules,
            List<Step> steps) {
        this(name, source, options, rules, steps, ClientTls.NONE, false);
    }

    /** Who sends: the client, the server, or the client ends its side. */
    public enum Sender { CLIENT, SERVER, CLIENT_END }

    /**
     * One input and what it must produce.
     *
     * @param sender who sends it
     * @param input the bytes, one char per byte
     * @param toServer expected bytes at the server
     * @param toClient expected bytes at the client
     * @param reports expected reports, each {@code rule mode} ({@code smtp.data.bare-lf enforce})
     * @param controls expected control decisions, in order ({@code close}, {@code abort}, {@code raw}, {@code starttls})
     * @param line the line of the file it came from
     * @param oneRead whether the input arrives in one read, never cut (a {@code C1:} line)
     */
    public record Step(Sender sender, String input, String toServer, String toClient, List<String> reports,
            List<String> controls, int line, boolean oneRead) {

        /** A step whose input may be cut anywhere. */
        public Step(Sender sender, String input, String toServer, String toClient, List<String> reports,
                List<String> controls, int line) {
            this(sender, input, toServer, toClient, reports, controls, line, false);
        }
    }

    /**
     * The configuration the validator is built from: the case's options, rules and TLS mode, line
     * limit 512, replies seen.
     */
    public ValidatorConfig config() {
        return new ValidatorConfig("corpus", 512, true, rules, MapOptions.of(options), clientTls);
    }

    @Override
    public String toString() {
        return name + " (" + source + ")";
    }
}
