package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Connections are admitted against the descriptor budget and give back what they took. */
class FileDescriptorsTest {

    @Test
    void theSoftLimitIsReadWhereTheSystemTellsIt() {
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            assertTrue(FileDescriptors.softLimit().orElse(0) > 0);
            assertTrue(FileDescriptors.measure().capacity() < Long.MAX_VALUE);
        }
    }

    @Test
    void descriptorExhaustionIsToldFromOtherErrors() {
        assertTrue(FileDescriptors.exhausted(new IOException("Too many open files")));
        assertTrue(FileDescriptors.exhausted(new IOException("Too many open files in system")));
        assertFalse(FileDescriptors.exhausted(new IOException("Connection refused")));
        assertFalse(FileDescriptors.exhausted(new IOException()));
    }

    @Test
    void takingStopsAtTheCapacityAndGivingMakesRoom() {
        FileDescriptors budget = FileDescriptors.ofCapacity(5);
        assertTrue(budget.take(2));
        assertTrue(budget.take(2));
        assertFalse(budget.hasRoom(2));
        assertFalse(budget.take(2));
        budget.give(2);
        assertTrue(budget.take(2));
        budget.charge(1);
        assertFalse(budget.hasRoom(1));
    }
}
