package org.protowrap.engine.config;

import java.util.Optional;
import org.protowrap.engine.tls.BackendTls;
import org.protowrap.engine.tls.ServerTls;
import org.protowrap.api.Validator;
import org.protowrap.spi.BalancerProvider;

/**
 * A wrapper ready to run: its settings, its validator (built from the options), the balancer
 * provider (the engine builds the balancer over its live backends), and its TLS with clients and
 * with backends, read from their files.
 */
public record Wrapper(WrapperConfig config, Validator validator, BalancerProvider balancerProvider,
        Optional<ServerTls> clientTls, Optional<BackendTls> backendTls) {

    /** A wrapper without TLS. */
    public Wrapper(WrapperConfig config, Validator validator, BalancerProvider balancerProvider) {
        this(config, validator, balancerProvider, Optional.empty(), Optional.empty());
    }

    public String name() {
        return config.name();
    }
}
