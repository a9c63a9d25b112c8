package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.protowrap.engine.config.AddressRange;
import org.protowrap.engine.config.EdgeConfig;

/**
 * A wrapper's {@code deny} and {@code allow} lists: a client on {@code deny} is refused; with an
 * {@code allow} list, so is a client not on it. A linear scan: lists of a few thousand entries
 * cost microseconds per accepted connection, which is what a reload-time index would save.
 */
final class AccessList {

    private final List<AddressRange> allow;
    private final List<AddressRange> deny;

    AccessList(EdgeConfig edge) {
        this.allow = edge.allow();
        this.deny = edge.deny();
    }

    /** Why {@code client} is refused, for the log ({@code deny 192.0.2.66/32}, {@code not allowed}), if it is. */
    Optional<String> refuses(InetAddress client) {
        for (AddressRange r : deny) {
            if (r.contains(client)) {
                return Optional.of("deny " + r);
            }
        }
        if (allow.isEmpty() || allow.stream().anyMatch(r -> r.contains(client))) {
            return Optional.empty();
        }
        return Optional.of("not on the allow list");
    }
}
