package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.Backend;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.health.HealthRegistry;

/** Which backends are candidates: up, under their limit, primaries before backups. */
class BackendPoolTest {

    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    @TempDir
    Path home;

    private final ProcessState state = ProcessState.standalone();
    private final HealthRegistry health = state.health();

    private BackendPool pool(String destAddr) {
        var wrapper = ConfigLoader.forHome(home).parse(home.resolve("t.yaml"), """
                wrappers:
                  - name: w
                    protocol: line
                    listenPort: 9
                    destAddr: %s
                """.formatted(destAddr)).wrappers().get(0);
        return new LiveWrapper(wrapper, state).pool().orElseThrow();
    }

    private static List<String> names(List<Backend> backends) {
        return backends.stream().map(Backend::name).toList();
    }

    private void takeDown(BackendPool pool, int index) {
        for (int i = 0; i < 3; i++) {
            pool.backends().get(index).health().failed("test");
        }
    }

    @Test
    void backupsAreCandidatesOnlyWhileNoPrimaryIs() {
        BackendPool pool = pool("[127.0.0.1:1, 127.0.0.1:2, {addr: 127.0.0.1, port: 3, backup: true}]");
        long now = System.nanoTime();
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2"), names(pool.candidates(Set.of(), now)));
        takeDown(pool, 0);
        assertEquals(List.of("127.0.0.1:2"), names(pool.candidates(Set.of(), now)));
        assertEquals(List.of("127.0.0.1:3"), names(pool.candidates(Set.of(pool.backends().get(1)), now)),
                "a primary that failed for this connection lets the backup take it");
        takeDown(pool, 1);
        assertEquals(List.of("127.0.0.1:3"), names(pool.candidates(Set.of(), now)));
        pool.backends().get(1).health().checkPassed("test");
        assertEquals(List.of("127.0.0.1:2"), names(pool.candidates(Set.of(), now)));
    }

    @Test
    void aBackendAtItsLimitIsNoCandidateUntilASlotIsGivenBack() {
        BackendPool pool = pool("[{addr: 127.0.0.1, port: 1, maxConnections: 2}, 127.0.0.1:2]");
        long now = System.nanoTime();
        LiveBackend limited = pool.backends().get(0);
        assertTrue(limited.reserve());
        assertTrue(limited.reserve());
        assertFalse(limited.reserve());
        assertEquals(List.of("127.0.0.1:2"), names(pool.candidates(Set.of(), now)));
        limited.release();
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2"), names(pool.candidates(Set.of(), now)));
    }

    @Test
    void aFullPrimaryDoesNotOverflowToTheBackups() {
        BackendPool pool = pool("[{addr: 127.0.0.1, port: 1, maxConnections: 1}, {addr: 127.0.0.1, port: 2, backup: true}]");
        assertTrue(pool.choose(Set.of(), CLIENT, System.nanoTime()).isPresent());
        assertEquals(Optional.empty(), pool.choose(Set.of(), CLIENT, System.nanoTime()));
    }

    @Test
    void aChosenBackendHoldsASlotThatCountsAsAConnection() {
        BackendPool pool = pool("[127.0.0.1:1]");
        LiveBackend chosen = pool.choose(Set.of(), CLIENT, System.nanoTime()).orElseThrow();
        assertEquals(1, chosen.activeConnections());
        chosen.release();
        assertEquals(0, chosen.activeConnections());
    }

    @Test
    void healthIsSharedByTheWrappersThatAReloadReplaces() {
        BackendPool before = pool("[127.0.0.1:1, 127.0.0.1:2]");
        takeDown(before, 1);
        BackendPool after = pool("[127.0.0.1:1, 127.0.0.1:2, 127.0.0.1:3]");
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:3"), names(after.candidates(Set.of(), System.nanoTime())));
    }
}
