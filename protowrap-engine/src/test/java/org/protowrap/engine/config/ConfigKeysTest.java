package org.protowrap.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Problem;
import org.protowrap.engine.plugin.PluginRegistry;

/** The declarations are what the loader accepts and what the README documents. */
class ConfigKeysTest {

    private final ConfigLoader loader = new ConfigLoader(Path.of("/opt/protowrap"), dir -> PluginRegistry.builtIn());

    /** One row of a README table: its default and its meaning. */
    private record Row(String defaultText, String meaning) {}

    @Test
    void theReadmeTablesListTheDeclaredKeysWithTheirDefaultsAndDescriptions() throws IOException {
        String readme = Files.readString(readme(), StandardCharsets.UTF_8);
        List<String> disagreements = new ArrayList<>();
        compare(table(readme, "### Top level"), List.of(ConfigKeys.TOP), disagreements);
        compare(table(readme, "### A wrapper"), List.of(ConfigKeys.WRAPPER), disagreements);
        compare(table(readme, "### TLS"), List.of(ConfigKeys.TLS_SECTION, ConfigKeys.DEST_TLS_SECTION), disagreements);
        assertEquals("", String.join("\n", disagreements), "README.md and ConfigKeys disagree");
    }

    private static void compare(Map<String, Row> documented, List<ConfigKeys.Section> sections, List<String> out) {
        Map<String, ConfigKey> declared = new LinkedHashMap<>();
        sections.forEach(s -> s.keys().forEach(k -> declared.put(s.path() + k.name(), k)));
        if (!List.copyOf(declared.keySet()).equals(List.copyOf(documented.keySet()))) {
            out.add("keys, in order: declared " + declared.keySet() + ", documented " + documented.keySet());
        }
        declared.forEach((name, key) -> {
            Row row = documented.get(name);
            if (row == null) {
                return;
            }
            if (!row.defaultText().equals(key.documented())) {
                out.add(name + ": default declared as " + key.documented() + ", documented as " + row.defaultText());
            }
            if (!row.meaning().startsWith(key.description())) {
                out.add(name + ": the meaning should start with the declared description \"" + key.description()
                        + "\", not \"" + row.meaning() + "\"");
            }
            for (String choice : key.range().isEmpty() || key.choices() == null ? new String[0] : key.range().split(", ")) {
                if (!(row.defaultText() + " " + row.meaning()).contains(choice)) {
                    out.add(name + ": the choice " + choice + " is not documented");
                }
            }
        });
    }

    /** The rows of the first table after {@code heading}, by key; a row naming two keys counts for both. */
    private static Map<String, Row> table(String readme, String heading) {
        int at = readme.indexOf("\n" + heading + "\n");
        assertTrue(at >= 0, "README.md has no section " + heading);
        Map<String, Row> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : readme.substring(at + heading.length() + 2).split("\n")) {
            if (!line.startsWith("|")) {
                if (inTable) {
                    break;
                }
                continue;
            }
            inTable = true;
            String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|", 3);
            if (cells.length < 3 || !cells[0].strip().startsWith("`")) {
                continue; // the header and its rule
            }
            Row row = new Row(cells[1].strip(), cells[2].strip());
            for (String key : cells[0].split(",")) {
                rows.put(key.strip().replace("`", ""), row);
            }
        }
        return rows;
    }

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("protowrap-engine"))) {
                return dir.resolve("README.md");
            }
        }
        throw new AssertionError("README.md not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void aMisspeltKeyIsAnsweredWithTheDeclaredKeysOfItsSection() {
        List<Problem> problems = assertThrows(ConfigException.class, () -> loader.parse(Path.of("test.yaml"), """
                logLevl: 1
                admin: {listenPort: 8404, bogus: 1}
                wrappers:
                  - name: a
                    protocol: line
                    listenPort: 2525
                    destAddr: [{addr: 127.0.0.1, port: 25, bogus: 1}]
                    healthCheck: {bogus: 1}
                    rateLimit: {connections: 5, bogus: 1}
                    proxyProtocol: {trusted: [10.0.0.0/8], bogus: 1}
                    destTls: {bogus: 1}
                    bogus: 1
                """)).problems();
        List<String> messages = problems.stream().map(Problem::toString).toList();
        assertEquals(List.of(
                "test.yaml:1:1: logLevl: unknown key; did you mean logLevel? valid keys here: " + names(ConfigKeys.TOP),
                "test.yaml:2:27: admin.bogus: unknown key; valid keys here: " + names(ConfigKeys.ADMIN_SECTION),
                "test.yaml:7:44: wrappers[0].destAddr[0].bogus: unknown key; valid keys here: "
                        + names(ConfigKeys.BACKEND),
                "test.yaml:8:19: wrappers[0].healthCheck.bogus: unknown key; valid keys here: "
                        + names(ConfigKeys.HEALTH_CHECK_SECTION),
                "test.yaml:9:33: wrappers[0].rateLimit.bogus: unknown key; valid keys here: "
                        + names(ConfigKeys.RATE_LIMIT_SECTION),
                "test.yaml:10:44: wrappers[0].proxyProtocol.bogus: unknown key; valid keys here: trusted",
                "test.yaml:11:15: wrappers[0].destTls.bogus: unknown key; valid keys here: "
                        + names(ConfigKeys.DEST_TLS_SECTION),
                "test.yaml:12:5: wrappers[0].bogus: unknown key; valid keys here: " + names(ConfigKeys.WRAPPER)),
                messages);
    }

    private static String names(ConfigKeys.Section section) {
        return section.keys().stream().map(ConfigKey::name).collect(Collectors.joining(", "));
    }

    @Test
    void everyDeclarationReadsAsItsType() {
        for (ConfigKeys.Section section : ConfigKeys.ALL) {
            for (ConfigKey key : section.keys()) {
                assertTrue(Arrays.asList("integer", "boolean", "duration", "string", "choice", "list", "map")
                        .contains(key.type()), key.name() + ": " + key.type());
                assertTrue(!key.description().isBlank() && !key.description().contains("\n"), key.name());
            }
        }
    }
}
