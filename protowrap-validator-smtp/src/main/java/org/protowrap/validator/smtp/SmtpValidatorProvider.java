package org.protowrap.validator.smtp;

import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.spi.ValidatorProvider;

/** Provides {@code smtp}. Placeholder until the protocol logic lands: refuses to be created. */
public final class SmtpValidatorProvider implements ValidatorProvider {

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public String description() {
        return "smtp validator (not yet implemented)";
    }

    @Override
    public List<Rule> rules() {
        return List.of();
    }

    @Override
    public Validator create(ValidatorConfig config) {
        throw new UnsupportedOperationException("the smtp validator is not implemented yet");
    }
}
