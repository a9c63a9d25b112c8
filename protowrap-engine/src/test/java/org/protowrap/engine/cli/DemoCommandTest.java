package org.protowrap.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.protowrap.engine.demo.DemoProvider;

/**
 * The engine's side of {@code protowrap demo}: it finds the demo as a service, and says so when the
 * runtime has none (as here: the demo module depends on the engine, not the other way round).
 */
class DemoCommandTest {

    @Test
    void theEngineModuleMayLookUpADemo() {
        assertTrue(Main.class.getModule().canUse(DemoProvider.class), "module-info lacks 'uses DemoProvider'");
    }

    @Test
    void withoutADemoModuleTheCommandSaysWhatIsMissingAndExitsOne() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(List.of("demo"), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.FAILURE, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no demo (module org.protowrap.demo)"),
                err.toString(StandardCharsets.UTF_8));
    }
}
