package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.plugin.PluginRegistry;

/** What the reload log says changed: keys and values as the configuration file writes them. */
class WrapperChangesTest {

    private static WrapperConfig wrapper(int port, String extra) {
        String yaml = """
                wrappers:
                  - name: mail
                    protocol: line
                    listenPort: %d
                """.formatted(port) + extra.indent(4);
        ConfigLoader loader = new ConfigLoader(Path.of("/opt/protowrap"), dir -> PluginRegistry.builtIn());
        return loader.parse(Path.of("test.yaml"), yaml).settings().wrappers().get(0);
    }

    @Test
    void namesKeysAndValuesAsTheFileWritesThem() {
        WrapperConfig before = wrapper(2525, "destAddr: 127.0.0.1:25");
        WrapperConfig after = wrapper(2526, """
                destAddr: [127.0.0.1:25, 127.0.0.2:25]
                maxLineLength: 4000
                rules: {line.too-long: log}
                idleTimeout: 10m
                serverKeepAlive: 5s
                rateLimit: {connections: 10, per: 1s}
                sendProxy: v2
                """);
        assertEquals(List.of(
                "listenPort 2525 -> 2526",
                "destAddr [127.0.0.1:25] -> [127.0.0.1:25, 127.0.0.2:25]",
                "maxLineLength (protocol default) -> 4000",
                "rules {} -> {line.too-long: log}",
                "idleTimeout 5m -> 10m",
                "serverKeepAlive 1s -> 5s",
                "rateLimit none -> {connections: 10, per: 1s, burst: 10}",
                "sendProxy none -> v2"),
                WrapperChanges.between(before, after));
    }
}
