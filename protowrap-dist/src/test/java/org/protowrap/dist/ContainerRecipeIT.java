package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked here of the container recipe and the Kubernetes example without a
 * container engine: the files they name, the Containerfile's health check run against the image,
 * and the example's configuration checked by the image.
 */
@Timeout(60)
class ContainerRecipeIT {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path CONTAINERFILE = MODULE.resolve("Containerfile");
    private static final Path KUBERNETES = MODULE.getParent().resolve("docs/kubernetes.yaml");

    @Test
    void theContainerfileRunsTheImageWithTheMountedConfiguration() throws IOException {
        String recipe = Files.readString(CONTAINERFILE);
        assertTrue(recipe.contains("COPY target/protowrap /opt/protowrap"), recipe);
        assertTrue(recipe.contains("ENTRYPOINT [\"/opt/protowrap/bin/protowrap\"]"), recipe);
        assertTrue(recipe.contains("CMD [\"run\", \"--config\", \"/etc/protowrap/protowrap.yaml\"]"), recipe);
        assertTrue(Files.isExecutable(ProtowrapImage.launcher()));
        assertTrue(recipe.contains("USER 10001:10001"), recipe);
    }

    @Test
    void theHealthCheckPassesOnceReadyAndFailsWhenNothingAnswers(@TempDir Path dir) throws Exception {
        List<String> probe = healthCheck();
        int admin = Ports.free();
        assertNotEquals(0, run(probe, admin), "the health check passed with nothing listening");
        int web = Ports.free();
        try (ExternalProcess protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                admin: {listenPort: %d}
                """.formatted(web, Ports.free(), admin), web, admin)) {
            assertEquals(0, run(probe, admin), protowrap.output());
        }
    }

    @Test
    void theKubernetesExampleProbesTheAdminPortAndItsConfigurationIsValid(@TempDir Path dir) throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        try (var documents = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
                .<JsonNode>readValues(KUBERNETES.toFile())) {
            documents.forEachRemaining(d -> byKind.put(d.path("kind").asText(), d));
        }
        assertEquals(List.of("ConfigMap", "Deployment", "Service"), byKind.keySet().stream().sorted().toList());

        String yaml = byKind.get("ConfigMap").path("data").path("protowrap.yaml").asText();
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        JsonNode adminConfig = config.path("admin");
        assertEquals("0.0.0.0", adminConfig.path("listenAddr").asText(), yaml);
        assertTrue(adminConfig.path("tokenFile").asText().startsWith("/etc/protowrap/"), yaml);
        // checked as the pod sees it: the token (from the Secret) beside the configuration
        Files.writeString(dir.resolve("admin.token"), "secret\n");
        Path file = dir.resolve("protowrap.yaml");
        Files.writeString(file, yaml.replace("/etc/protowrap/", dir + "/"));
        ImageIT.Result check = ImageIT.protowrap("check", "--config", file.toString());
        assertEquals(0, check.exit(), check.out() + check.err());

        JsonNode pod = byKind.get("Deployment").path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").path(0);
        int adminPort = -1;
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals("admin")) {
                adminPort = port.path("containerPort").asInt();
            }
        }
        assertEquals(adminConfig.path("listenPort").asInt(), adminPort);
        assertEquals("/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("admin", container.path("readinessProbe").path("httpGet").path("port").asText());
        assertEquals("/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("admin", container.path("livenessProbe").path("httpGet").path("port").asText());
        assertEquals("/etc/protowrap", container.path("volumeMounts").path(0).path("mountPath").asText());
        // above the default shutdownGrace of 30s
        assertTrue(pod.path("terminationGracePeriodSeconds").asInt() > 30, pod.toPrettyString());
    }

    /** The Containerfile's HEALTHCHECK command (exec form, continued over lines). */
    private static List<String> healthCheck() throws IOException {
        String recipe = Files.readString(CONTAINERFILE).replace("\\\n", " ");
        Matcher m = Pattern.compile("(?m)^HEALTHCHECK .*CMD (\\[.*])$").matcher(recipe);
        assertTrue(m.find(), recipe);
        List<String> command = new ArrayList<>();
        new ObjectMapper().readTree(m.group(1)).forEach(n -> command.add(n.asText()));
        return command;
    }

    /** Runs the health check against {@code port} instead of 8404; returns its exit code. */
    private static int run(List<String> probe, int port) throws IOException, InterruptedException {
        List<String> command = probe.stream().map(s -> s.replace("/8404", "/" + port)).toList();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the health check did not finish");
        return p.exitValue();
    }
}
