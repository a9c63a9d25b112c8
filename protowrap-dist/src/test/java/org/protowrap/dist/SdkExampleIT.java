package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin author's path: the example plugin is copied out of the image's {@code sdk/} and built
 * there against the image's jars (outside this build), its jar is dropped into a plugins folder,
 * and the image serves Finger traffic through it.
 */
@Timeout(180)
class SdkExampleIT {

    @TempDir
    Path dir;

    @Test
    void theExamplePluginBuildsFromTheSdkAloneAndServesTraffic() throws Exception {
        Path sdk = ProtowrapImage.HOME.resolve("sdk").toAbsolutePath();
        Path myplugin = dir.resolve("myplugin");
        copyTree(sdk.resolve("example"), myplugin);

        Process lost = build(myplugin, Map.of());
        String missing = new String(lost.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(lost.waitFor(30, TimeUnit.SECONDS), missing);
        assertEquals(1, lost.exitValue(), missing);
        assertTrue(missing.contains("set PROTOWRAP_SDK"), missing);

        Process built = build(myplugin, Map.of("PROTOWRAP_SDK", sdk.toString()));
        String output = new String(built.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(built.waitFor(150, TimeUnit.SECONDS), output);
        assertEquals(0, built.exitValue(), output);
        assertTrue(output.contains("8 of 8 cases passed"), output);
        assertFalse(Files.exists(sdk.resolve("example/build")), "the build wrote into the image");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(myplugin.resolve("build/protowrap-finger.jar"), plugins.resolve("protowrap-finger.jar"));

        Process list = new ProcessBuilder(ProtowrapImage.launcher().toString(), "plugins", "--plugins-dir",
                plugins.toString()).redirectErrorStream(true).start();
        String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), listed);
        assertTrue(listed.lines().anyMatch(l -> l.matches("finger\\s+validator\\s+plugin\\s+org\\.example\\.finger\\s+.*")),
                listed);

        try (ServerSocket fingerd = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> answer(fingerd));
            int port = Ports.free();
            String yaml = """
                    allowRoot: true
                    pluginsDir: %s
                    wrappers:
                      - name: finger
                        protocol: finger
                        listenAddr: 127.0.0.1
                        listenPort: %d
                        destAddr: 127.0.0.1:%d
                    """.formatted(plugins, port, fingerd.getLocalPort());
            try (ExternalProcess protowrap = ProtowrapImage.run(dir, yaml, port)) {
                assertEquals("Login: alice\r\n", query(port, "alice\r\n"));
                assertEquals("finger: refused (finger.query.forwarding)\r\n", query(port, "alice@elsewhere.example\r\n"));
                assertTrue(protowrap.output().contains("rule=finger.query.forwarding action=enforce"), protowrap.output());
            }
        }
    }

    @Test
    void theSdkHasOneSourcesJarPerModuleAndDocumentsEachPackageUnderItsModule() throws IOException {
        Path sdk = ProtowrapImage.HOME.resolve("sdk");
        for (String jar : List.of("protowrap-api-sources.jar", "protowrap-testkit-sources.jar")) {
            try (ZipFile zip = new ZipFile(sdk.resolve(jar).toFile())) {
                assertEquals(1, zip.stream().filter(e -> e.getName().equals("module-info.java")).count(), jar);
            }
        }
        Map<String, List<String>> packages = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : Files.readAllLines(sdk.resolve("api-docs/element-list"))) {
            if (line.startsWith("module:")) {
                current = packages.computeIfAbsent(line.substring("module:".length()), m -> new ArrayList<>());
            } else if (!line.isBlank()) {
                assertTrue(current != null, "package before any module: " + line);
                current.add(line);
            }
        }
        assertEquals(Map.of("org.protowrap.api", List.of("org.protowrap.api", "org.protowrap.spi"),
                "org.protowrap.testkit", List.of("org.protowrap.testkit")), packages);
    }

    /** A Finger server: one query per connection, answered with a login line. */
    private static void answer(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                String query = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                s.getOutputStream().write(("Login: " + query + "\r\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String query(int port, String line) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Starts {@code build.sh} of the copy in {@code folder}, from that folder, as its README says. */
    private static Process build(Path folder, Map<String, String> environment) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(folder.resolve("build.sh").toString())
                .directory(folder.toFile()).redirectErrorStream(true);
        pb.environment().remove("PROTOWRAP_SDK");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(environment);
        return pb.start();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
