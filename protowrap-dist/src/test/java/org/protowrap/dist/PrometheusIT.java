package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.testkit.Eventually;

/**
 * A real Prometheus server scrapes the image's {@code /metrics} every second while traffic goes
 * through an {@code http} wrapper over nginx; the test asks Prometheus's HTTP API for what it
 * stored. {@code promtool check metrics} checks the exposition itself.
 */
@Timeout(60)
class PrometheusIT {

    private static final String RULE_REPORTS =
            "protowrap_rule_reports_total{wrapper=\"web\",rule=\"http.te.unknown\",action=\"enforce\"}";

    @Test
    void prometheusScrapesRuleReportsAndBackendHealth(@TempDir Path dir) throws Exception {
        try (AdminStack stack = AdminStack.start(dir); Prometheus prometheus = Prometheus.start(dir, stack.adminPort())) {
            int prometheusPort = prometheus.port();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, stack.get("/index.html?scraped-" + i));
                assertEquals(501, stack.sendRefused());
            }
            JsonNode rule = awaitResult(prometheusPort, RULE_REPORTS, r -> r.size() == 1 && value(r.get(0)) >= 5);
            assertEquals(5, value(rule.get(0)), rule.toPrettyString());
            JsonNode up = awaitResult(prometheusPort, "protowrap_backend_up{wrapper=\"web\"}",
                    r -> r.size() == 2 && value(r.get(0)) == 1 && value(r.get(1)) == 1);
            assertEquals(2, up.size(), up.toPrettyString());
            assertEquals(List.of(AdminStack.name(stack.a()), AdminStack.name(stack.b())).stream().sorted().toList(),
                    List.of(up.get(0).path("metric").path("backend").asText(),
                            up.get(1).path("metric").path("backend").asText()).stream().sorted().toList());
            // the scrape itself succeeded: Prometheus parsed every line
            JsonNode scrape = awaitResult(prometheusPort, "up{job=\"protowrap\"}", r -> r.size() == 1);
            assertEquals(1, value(scrape.get(0)), scrape.toPrettyString());
        }
    }

    @Test
    void theExpositionPassesPromtool(@TempDir Path dir) throws Exception {
        try (AdminStack stack = AdminStack.start(dir)) {
            assertEquals(501, stack.sendRefused());
            assertEquals(200, stack.get("/index.html"));
            String metrics = stack.admin("/metrics");
            assertTrue(metrics.contains(RULE_REPORTS + " 1"), metrics);
            Process promtool = new ProcessBuilder(Tools.require("promtool"), "check", "metrics")
                    .redirectErrorStream(true).start();
            try (var stdin = promtool.getOutputStream()) {
                stdin.write(metrics.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(promtool.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, promtool.exitValue(), output);
            assertEquals("", output.strip());
        }
    }

    /** Prometheus on loopback, scraping the admin endpoint every second, storing in a temporary folder. */
    private record Prometheus(ExternalProcess process, int port) implements AutoCloseable {

        static Prometheus start(Path dir, int adminPort) throws IOException, InterruptedException {
            int port = Ports.free();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: protowrap
                        static_configs: [{targets: ['127.0.0.1:%d']}]
                    """.formatted(adminPort));
            return new Prometheus(ExternalProcess.start("prometheus", dir, List.of(Tools.require("prometheus"),
                    "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                    "--web.listen-address=127.0.0.1:" + port)).awaitPort(port), port);
        }

        @Override
        public void close() throws InterruptedException {
            process.close();
        }
    }

    /** Runs an instant query until its result satisfies {@code done}, or for 30 seconds; returns the last result. */
    private static JsonNode awaitResult(int port, String query, java.util.function.Predicate<JsonNode> done)
            throws IOException, InterruptedException {
        JsonNode result = Eventually.poll(Duration.ofSeconds(30), () -> query(port, query), done);
        assertTrue(done.test(result), query + ": " + result.toPrettyString());
        return result;
    }

    private static JsonNode query(int port, String query) throws IOException, InterruptedException {
        HttpCurl.Result r = HttpCurl.run("-sS", "--fail", "http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        assertEquals(0, r.exit(), r.err());
        JsonNode answer = new ObjectMapper().readTree(r.out());
        assertEquals("success", answer.path("status").asText(), r.out());
        return answer.path("data").path("result");
    }

    /** The value of a sample of an instant vector: {@code {"metric": {...}, "value": [time, "v"]}}. */
    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.path("value").path(1).asText());
    }
}
