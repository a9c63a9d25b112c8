package org.protowrap.engine.relay;

import java.nio.channels.SelectionKey;

/** What a selection key is attached to: told when its channel is ready, on the loop's thread. */
interface Ready {
    void ready(SelectionKey key);
}
