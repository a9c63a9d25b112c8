package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium renders the image's status page (the page builds its tables from
 * {@code /status} with a script) during traffic; the test reads the rendered DOM through its
 * {@code data-} attributes, and keeps a screenshot in {@code target/}.
 */
@Timeout(60)
class StatusPageIT {

    private static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @Test
    void showsAStoppedBackendDownAndRuleCountsGrowing(@TempDir Path dir) throws Exception {
        try (AdminStack stack = AdminStack.start(dir)) {
            for (int i = 0; i < 2; i++) {
                assertEquals(501, stack.sendRefused());
                assertEquals(200, stack.get("/index.html"));
            }
            String before = chromium(dir, "--dump-dom", stack.adminUrl("/"));
            assertEquals("up", backendState(before, stack.b()), before);
            assertEquals("up", backendState(before, stack.a()), before);
            assertEquals(2, ruleCount(before, "http.te.unknown"), before);

            stack.b().close();
            // without healthCheck, three failed connects take a backend down; the clients do not notice
            for (int i = 0; i < 8; i++) {
                assertEquals(200, stack.get("/index.html"));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(501, stack.sendRefused());
            }
            assertEquals("down", stack.awaitBackend(stack.b(), b -> b.path("state").asText().equals("down"))
                    .path("state").asText());

            Files.deleteIfExists(SCREENSHOT);
            String after = chromium(dir, "--dump-dom", "--screenshot=" + SCREENSHOT.toAbsolutePath(),
                    "--window-size=1024,768", stack.adminUrl("/"));
            assertEquals("down", backendState(after, stack.b()), after);
            assertEquals("up", backendState(after, stack.a()), after);
            assertEquals(5, ruleCount(after, "http.te.unknown"), after);
            assertTrue(Files.size(SCREENSHOT) > 0, "no screenshot");
        }
    }

    /** Runs headless Chromium; returns what it printed (with --dump-dom: the DOM once the page's script drew it). */
    private static String chromium(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("chromium"), "--headless", "--no-sandbox",
                "--disable-gpu", "--user-data-dir=" + dir.resolve("chromium"),
                // lets the page's fetch of /status and its drawing finish before the DOM is taken
                "--virtual-time-budget=3000"));
        command.addAll(List.of(args));
        Process chromium = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile()).start();
        String out = new String(chromium.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(chromium.waitFor(30, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, chromium.exitValue(), Files.readString(dir.resolve("chromium.log")));
        return out;
    }

    private static String backendState(String dom, HttpNginx backend) {
        return find(dom, "data-backend=\"" + Pattern.quote(AdminStack.name(backend)) + "\" data-state=\"(\\w+)\"");
    }

    private static int ruleCount(String dom, String rule) {
        return Integer.parseInt(find(dom, "data-rule=\"" + Pattern.quote(rule) + "\">([0-9,]+)<").replace(",", ""));
    }

    private static String find(String dom, String regex) {
        Matcher m = Pattern.compile(regex).matcher(dom);
        assertTrue(m.find(), regex + " is not in the rendered page:\n" + dom);
        return m.group(1);
    }
}
