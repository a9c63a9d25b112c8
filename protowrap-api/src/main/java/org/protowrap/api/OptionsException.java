package org.protowrap.api;

import java.util.List;
import java.util.stream.Collectors;

/** A plugin's options (or the whole configuration) are invalid; carries every problem found. */
public class OptionsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    public OptionsException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining(System.lineSeparator())));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
