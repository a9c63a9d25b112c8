package org.protowrap.engine.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.protowrap.api.Problem;

/**
 * Names each list of valid choices once per report: the first problem that offers a list keeps
 * it, later problems offering the same list point back to it. A file with a thousand misspelt
 * rules then yields a thousand short lines, not a thousand copies of the rule list.
 *
 * <p>It recognises the phrases the engine and {@code MapOptions} use ("valid keys here:",
 * "its rules are:", "is not one of:", "available:", "choose one of:"); a plugin's own wording
 * passes unchanged.
 */
final class ChoiceLists {

    private static final Pattern LIST = Pattern.compile(
            "(valid keys here|its rules are|is not one of|available|choose one of): ([^;()]*[^;() ])");

    private ChoiceLists() {}

    /** The problems in the same order, each list of choices spelt out only where it first appears. */
    static List<Problem> namedOnce(List<Problem> problems) {
        Map<String, String> firstSeenAt = new HashMap<>();
        List<Problem> out = new ArrayList<>(problems.size());
        for (Problem p : problems) {
            Matcher m = LIST.matcher(p.message());
            StringBuilder message = new StringBuilder();
            while (m.find()) {
                String list = m.group(1) + ": " + m.group(2);
                String first = firstSeenAt.putIfAbsent(list, p.location().isEmpty() ? p.key() : p.location());
                String replacement = first == null || !m.group(2).contains(",") ? list
                        : m.group(1) + ": see " + first;
                m.appendReplacement(message, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(message);
            out.add(new Problem(p.location(), p.key(), message.toString()));
        }
        return out;
    }
}
