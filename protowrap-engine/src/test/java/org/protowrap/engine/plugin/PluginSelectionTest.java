package org.protowrap.engine.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.Refusal;
import org.protowrap.engine.config.ConfigException;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;

/** A plugin jar dropped into the plugins folder and selected by name in YAML. */
class PluginSelectionTest {

    @TempDir
    Path home;

    private Configuration load(String yaml) throws Exception {
        Path file = home.resolve("protowrap.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.forHome(home).load(file);
    }

    private static final String FIXTURE_WRAPPER = """
            wrappers:
              - name: fixed
                protocol: fixture
                listenPort: 7001
                destAddr: 127.0.0.1:7002
                balancer: first
                options:
                  greeting: from-the-plugin
            """;

    @Test
    void theSelectedValidatorIsTheOneFromTheJar() throws Exception {
        PluginJar.module("com.example.fixture").validator("fixture").balancer("first")
                .buildIn(Files.createDirectories(home.resolve("plugins")));

        Configuration config = load(FIXTURE_WRAPPER);

        var validator = config.wrappers().get(0).validator();
        assertEquals("com.example.fixture", validator.getClass().getModule().getName());
        // The option reached the plugin: its refusal echoes the configured greeting.
        assertEquals("from-the-plugin", new String(validator.refusal(Refusal.NO_BACKEND).orElseThrow(),
                StandardCharsets.US_ASCII));
        assertEquals("com.example.fixture",
                config.wrappers().get(0).balancing().orElseThrow().balancer().getClass().getModule().getName());
    }

    @Test
    void aPluginsOwnOptionProblemsAreLocated() throws Exception {
        PluginJar.module("com.example.fixture").validator("fixture").balancer("first")
                .buildIn(Files.createDirectories(home.resolve("plugins")));

        ConfigException e = assertThrows(ConfigException.class, () -> load(
                FIXTURE_WRAPPER.replace("greeting: from-the-plugin", "greeting: \"\"\n      colour: blue")));

        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("protowrap.yaml:8:7: wrappers[0].options.greeting: must not be empty"),
                e.getMessage());
        assertTrue(e.getMessage().contains("protowrap.yaml:9:7: wrappers[0].options.colour: unknown key; valid keys here: greeting"),
                e.getMessage());
    }

    @Test
    void anUnknownNameListsTheAvailableOnesAndTheCommandToSeeThem() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> load(FIXTURE_WRAPPER));

        String message = e.getMessage();
        assertTrue(message.contains("protowrap.yaml:3:5: wrappers[0].protocol: unknown validator \"fixture\"; available: "),
                message);
        assertTrue(message.contains("line"), message);
        assertTrue(message.contains("run 'protowrap plugins'"), message);
        assertTrue(message.contains("wrappers[0].balancer: unknown balancer \"first\""), message);
    }

    @Test
    void aBrokenJarIsNamedWhenTheConfigurationSelectsAnUnknownName() throws Exception {
        Path corrupt = PluginJar.corrupt(Files.createDirectories(home.resolve("plugins")), "fixture.jar");

        ConfigException e = assertThrows(ConfigException.class, () -> load(FIXTURE_WRAPPER));

        assertTrue(e.getMessage().contains("note: " + corrupt + ": cannot be read as a module"), e.getMessage());
    }

    @Test
    void duplicateProviderNamesStopTheConfigurationEvenIfUnused() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJar.module("com.example.one").validator("twin").buildIn(plugins);
        PluginJar.module("com.example.two").validator("twin").buildIn(plugins);

        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                wrappers:
                  - name: plain
                    protocol: line
                    listenPort: 7001
                    destAddr: 127.0.0.1:7002
                """));

        assertTrue(e.getMessage().contains("pluginsDir: ") && e.getMessage().contains("two providers of validator twin"),
                e.getMessage());
    }

    @Test
    void aSelectedDuplicateNameIsReportedOnceWithoutAnUnknownNameLine() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJar.module("com.example.one").validator("twin").buildIn(plugins);
        PluginJar.module("com.example.two").validator("twin").buildIn(plugins);

        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                wrappers:
                  - name: twinned
                    protocol: twin
                    listenPort: 7001
                    destAddr: 127.0.0.1:7002
                """));

        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("two providers of validator twin"), e.getMessage());
        assertFalse(e.getMessage().contains("unknown validator"), e.getMessage());
    }

    @Test
    void aProviderWhoseConstructorThrowsDoesNotStopAConfigurationThatDoesNotSelectIt() throws Exception {
        PluginJar.module("com.example.faulty").validator("faulty").throwingConstructor()
                .buildIn(Files.createDirectories(home.resolve("plugins")));

        Configuration config = load("""
                wrappers:
                  - name: plain
                    protocol: line
                    listenPort: 7001
                    destAddr: 127.0.0.1:7002
                """);

        assertEquals(1, config.wrappers().size());
        assertEquals(1, config.registry().problems().size(), config.registry().problems().toString());
    }

    @Test
    void theRegistryIsLoadedFromTheConfiguredFolderRelativeToHome() throws Exception {
        PluginJar.module("com.example.fixture").validator("fixture").balancer("first")
                .buildIn(Files.createDirectories(home.resolve("elsewhere")));

        Configuration config = load("pluginsDir: elsewhere\n" + FIXTURE_WRAPPER);

        assertEquals(home.resolve("elsewhere"), config.settings().pluginsDir());
        assertTrue(config.registry().validator("fixture").isPresent());
        assertEquals(Optional.empty(), config.registry().validator("absent"));
    }
}
