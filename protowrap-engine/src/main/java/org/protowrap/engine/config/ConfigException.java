package org.protowrap.engine.config;

import java.util.List;
import org.protowrap.api.OptionsException;
import org.protowrap.api.Problem;

/** The configuration is invalid; carries every problem, each located by file, line, column and key. */
public final class ConfigException extends OptionsException {
    private static final long serialVersionUID = 1L;

    public ConfigException(List<Problem> problems) {
        super(problems);
    }
}
