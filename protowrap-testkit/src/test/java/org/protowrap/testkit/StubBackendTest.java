package org.protowrap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class StubBackendTest {

    @Test
    void itCountsTheConnectionsATestOpens() {
        StubBackend backend = new StubBackend("a", 3, 2);
        backend.connectionOpened();
        assertEquals(3, backend.activeConnections());
        assertEquals(3, backend.weight());
        assertEquals("a", backend.name());
        assertEquals(0, new StubBackend("b", 1).activeConnections());
        assertFalse(backend.backup());
    }
}
