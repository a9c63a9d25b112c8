package org.protowrap.engine.relay;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Socket addresses as logs print them: {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
public final class AddressText {

    private AddressText() {}

    public static String of(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? of(inet) : String.valueOf(address);
    }

    public static String of(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
