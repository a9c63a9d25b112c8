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
 * <p>Providers are instantiated once per process and must be cheap to construct: loading one
 * must not open files, sockets or threads. The class named after {@code with} is made by
 * {@link java.util.ServiceLoader}, so it is {@code public} and has a {@code public} constructor
 * without arguments. A provider whose constructor throws is reported with its jar and skipped;
 * a configuration that selects it fails.
 */
public interface ValidatorProvider {

    /**
     * The word the configuration uses in {@code protocol:}, e.g. {@code smtp}: a lower-case letter,
     * then up to 31 lower-case letters, digits, {@code _} or {@code -}; stable. A provider with
     * another name is reported and not loaded.
     */
    String name();

    /** One line for {@code protowrap plugins}. */
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
