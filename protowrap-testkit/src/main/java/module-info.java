/**
 * The ProtoWrap test kit: what a validator's tests need without an engine or a network. A
 * {@link org.protowrap.testkit.RecordingDecisions} records what a session decides; a
 * {@link org.protowrap.testkit.SessionCorpus} replays sessions written in data files whole, one
 * byte at a time and at random splits, and insists the outputs agree; a
 * {@link org.protowrap.testkit.ScriptedBackend} is a small loopback server for end-to-end tests.
 * It depends on the API alone and on no test framework: failures are {@link AssertionError}s.
 */
module org.protowrap.testkit {
    requires transitive org.protowrap.api;

    exports org.protowrap.testkit;
}
