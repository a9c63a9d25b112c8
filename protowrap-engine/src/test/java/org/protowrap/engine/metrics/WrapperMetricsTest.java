package org.protowrap.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WrapperMetricsTest {

    @Test
    void refusalReasonsBecomeLabelValuesInPrometheusStyle() {
        assertEquals("max_connections", WrapperMetrics.label("maxConnections"));
        assertEquals("max_connections_per_client", WrapperMetrics.label("maxConnectionsPerClient"));
        assertEquals("file_descriptors", WrapperMetrics.label("file descriptors"));
    }
}
