/**
 * The ProtoWrap test kit: what a plugin's tests need without an engine or a network. A
 * {@link org.protowrap.testkit.RecordingDecisions} records what a session decides; a
 * {@link org.protowrap.testkit.SessionCorpus} replays sessions written in data files whole, one
 * byte at a time and at random splits, and insists the outputs agree; a
 * {@link org.protowrap.testkit.ScriptedBackend} is a small loopback server for end-to-end tests, and
 * {@link org.protowrap.testkit.Eventually} waits for what they expect, with a deadline.
 * A balancer's tests choose among {@link org.protowrap.testkit.StubBackend}s.
 * It depends on the API alone and on no test framework: failures are {@link AssertionError}s.
 */
module org.protowrap.testkit {
    requires transitive org.protowrap.api;

    exports org.protowrap.testkit;
}
