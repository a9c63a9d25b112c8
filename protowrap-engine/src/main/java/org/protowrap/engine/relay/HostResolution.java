package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Consumer;
import org.protowrap.engine.config.BackendAddress;

/**
 * Turns a backend's host into an address without blocking a loop: an IP literal at once, a host
 * name on a virtual thread (the resolver may block), with the answer handed back to the loop.
 */
final class HostResolution {

    private HostResolution() {}

    /** Calls {@code resolved} or {@code failed} (with a reason) on {@code loop}'s thread. */
    static void resolve(String host, EventLoop loop, Consumer<InetAddress> resolved, Consumer<String> failed) {
        if (BackendAddress.isIpLiteral(host)) {
            resolved.accept(InetAddress.ofLiteral(host));
            return;
        }
        Thread.ofVirtual().name("protowrap-resolve " + host).start(() -> {
            try {
                InetAddress address = InetAddress.getByName(host);
                loop.execute(() -> resolved.accept(address));
            } catch (IOException e) {
                loop.execute(() -> failed.accept("cannot resolve " + host));
            }
        });
    }
}
