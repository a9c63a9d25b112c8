package org.protowrap.engine.config;

import java.util.Optional;
import org.protowrap.api.Validator;
import org.protowrap.engine.tls.BackendTls;
import org.protowrap.engine.tls.ServerTls;

/**
 * A wrapper ready to run: its settings, its validator and its balancer (both built from the
 * options), and its TLS with clients and with backends, read from their files.
 *
 * @param balancing the balancer and the backends it chooses among; empty for {@code destType: pipe}
 */
public record Wrapper(WrapperConfig config, Validator validator, Optional<Balancing> balancing,
        Optional<ServerTls> clientTls, Optional<BackendTls> backendTls) {

    /** A wrapper without TLS. */
    public Wrapper(WrapperConfig config, Validator validator, Optional<Balancing> balancing) {
        this(config, validator, balancing, Optional.empty(), Optional.empty());
    }

    public String name() {
        return config.name();
    }
}
