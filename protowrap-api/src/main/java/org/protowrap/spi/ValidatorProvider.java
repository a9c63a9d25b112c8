package org.protowrap.spi;

import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;

/**
 * A named factory for protocol validators, found with {@link java.util.ServiceLoader}.
 *
 * <p>A plugin module declares {@code provides org.protowrap.spi.ValidatorProvider with ...} in
 * its {@code module-info.java} and exports nothing. The wrapper's {@code protocol:} key selects
 * the provider whose {@link #name()} it names.
 *
 * <p>What every provider must be (constructible by the loader, cheap to construct, named) is
 * stated in {@link Provider}.
 * A provider whose constructor throws is reported with its jar and skipped; a configuration that
 * selects it fails.
 */
public interface ValidatorProvider extends Provider {

    /** The word the configuration uses in {@code protocol:}, e.g. {@code smtp}; see {@link Provider#name()}. */
    @Override
    String name();

    /** One line for {@code protowrap plugins}. */
    @Override
    String description();

    /**
     * Every rule this validator checks, with its default mode. The engine validates the
     * wrapper's {@code rules:} map against this list before calling {@link #create}.
     */
    List<Rule> rules();

    /**
     * Builds the validator for one wrapper. Reads every option it supports from
     * {@link ValidatorConfig#options()}; bad values are reported through
     * {@link org.protowrap.api.Options#problem} (or by throwing
     * {@link org.protowrap.api.OptionsException}) so that all problems are listed together.
     * Options the validator never reads are reported by the engine as unknown.
     */
    Validator create(ValidatorConfig config);
}
