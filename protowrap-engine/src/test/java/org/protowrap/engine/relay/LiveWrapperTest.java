package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.Backend;
import org.protowrap.engine.config.Balancing;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Wrapper;

class LiveWrapperTest {

    @TempDir
    Path home;

    private Wrapper wrapper(String extra) {
        return ConfigLoader.forHome(home).parse(home.resolve("t.yaml"), """
                wrappers:
                  - name: w
                    protocol: line
                    listenPort: 9
                    destAddr: [127.0.0.1:1, 127.0.0.1:2, 127.0.0.1:3]
                """ + extra.indent(4)).wrappers().get(0);
    }

    @Test
    void countsConnectionsAgainstBothLimitsAndReleasesThem() throws Exception {
        LiveWrapper live = new LiveWrapper(wrapper("maxConnections: 3\nmaxConnectionsPerClient: 2\n"));
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        assertEquals(Optional.empty(), live.admit(a));
        assertEquals(Optional.empty(), live.admit(a));
        assertEquals(Optional.of("maxConnectionsPerClient"), live.admit(a));
        assertEquals(Optional.empty(), live.admit(b));
        assertEquals(Optional.of("maxConnections"), live.admit(b));
        assertEquals(3, live.activeConnections());
        live.release(a);
        assertEquals(Optional.empty(), live.admit(a));
        assertEquals(3, live.activeConnections());
    }

    @Test
    void admitsConnectionsWhileTheirDescriptorsFitAndGivesThemBack() throws Exception {
        // five descriptors: two connections of two each, not a third
        LiveWrapper live = new LiveWrapper(wrapper(""), new ProcessState(FileDescriptors.ofCapacity(5)));
        InetAddress client = InetAddress.getLoopbackAddress();
        assertEquals(Optional.empty(), live.admit(client));
        assertEquals(Optional.empty(), live.admit(client));
        assertFalse(live.descriptorsLeft());
        assertEquals(Optional.of("file descriptors"), live.admit(client));
        assertEquals(2, live.activeConnections());
        live.release(client);
        assertTrue(live.descriptorsLeft());
        assertEquals(Optional.empty(), live.admit(client));
    }

    @Test
    void candidatesAreTheBackendsNotYetTried() {
        BackendPool pool = new LiveWrapper(wrapper("")).pool().orElseThrow();
        LiveBackend first = pool.backends().get(0);
        List<Backend> candidates = pool.candidates(Set.of(first), System.nanoTime());
        assertEquals(List.of("127.0.0.1:2", "127.0.0.1:3"), candidates.stream().map(Backend::name).toList());
        LiveBackend chosen = pool.choose(Set.of(first), InetAddress.getLoopbackAddress(), System.nanoTime()).orElseThrow();
        assertEquals("127.0.0.1:2", chosen.name());
        assertEquals(Optional.empty(), pool.choose(Set.copyOf(pool.backends()), InetAddress.getLoopbackAddress(), System.nanoTime()));
    }

    @Test
    void theBalancerBuiltWithTheConfigurationIsOfferedTheBackendsItWasBuiltOver() {
        Wrapper wrapper = wrapper("");
        Balancing balancing = wrapper.balancing().orElseThrow();
        BackendPool pool = new LiveWrapper(wrapper).pool().orElseThrow();
        List<Backend> candidates = pool.candidates(Set.of(), System.nanoTime());
        assertEquals(3, candidates.size());
        for (int i = 0; i < 3; i++) {
            assertSame(balancing.backends().get(i), candidates.get(i), "the balancer keeps state by backend identity");
        }
        LiveBackend chosen = pool.choose(Set.of(), InetAddress.getLoopbackAddress(), System.nanoTime()).orElseThrow();
        int index = pool.backends().indexOf(chosen);
        assertEquals(1, balancing.backends().get(index).activeConnections(), "the balancer sees live connection counts");
        chosen.weightOverride(7);
        assertEquals(7, balancing.backends().get(index).weight(), "and the operator's weight");
    }
}
