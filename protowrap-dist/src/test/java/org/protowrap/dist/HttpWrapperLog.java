package org.protowrap.dist;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.protowrap.testkit.Eventually;

/**
 * The running wrapper's log, read by connection: a connection is found by its client's port in
 * the summary line written when it ends, and its other lines by the number that line gives it.
 * Queries look only at what was logged after a {@link #mark()}, since client ports get reused.
 */
final class HttpWrapperLog {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ExternalProcess protowrap;
    private final String wrapper;

    HttpWrapperLog(ExternalProcess protowrap, String wrapper) {
        this.protowrap = protowrap;
        this.wrapper = wrapper;
    }

    /** Where the log ends now. */
    int mark() {
        return protowrap.output().length();
    }

    /**
     * Every line logged since {@code mark} about the connection from {@code clientPort}, once it has
     * ended; fails if it does not end within a few seconds.
     */
    List<String> connection(int clientPort, int mark) throws InterruptedException {
        String last = Eventually.await(WAIT, () -> summaries(clientPort, mark).stream().reduce((first, next) -> next),
                () -> "no connection from client port " + clientPort + " ended in the wrapper's log:\n" + since(mark));
        String tag = "wrapper=" + wrapper + " conn=" + connectionNumber(last) + " ";
        return since(mark).lines().filter(l -> l.contains(tag)).toList();
    }

    /** The summary line of each connection from {@code clientPort} that ended since {@code mark}. */
    List<String> summaries(int clientPort, int mark) {
        Pattern summary = Pattern.compile("wrapper=" + wrapper + " conn=\\d+ client=127\\.0\\.0\\.1:" + clientPort
                + " .* outcome=");
        return since(mark).lines().filter(l -> summary.matcher(l).find()).toList();
    }

    String since(int mark) {
        return protowrap.output().substring(mark);
    }

    private static String connectionNumber(String summary) {
        Matcher m = Pattern.compile(" conn=(\\d+) ").matcher(summary);
        if (!m.find()) {
            throw new AssertionError("no connection number in " + summary);
        }
        return m.group(1);
    }
}
