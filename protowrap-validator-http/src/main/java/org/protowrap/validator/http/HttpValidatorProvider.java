package org.protowrap.validator.http;

import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.spi.ValidatorProvider;

/** Provides {@code http}. Placeholder until the protocol logic lands: refuses to be created. */
public final class HttpValidatorProvider implements ValidatorProvider {

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "http validator (not yet implemented)";
    }

    @Override
    public List<Rule> rules() {
        return List.of();
    }

    @Override
    public Validator create(ValidatorConfig config) {
        throw new UnsupportedOperationException("the http validator is not implemented yet");
    }
}
