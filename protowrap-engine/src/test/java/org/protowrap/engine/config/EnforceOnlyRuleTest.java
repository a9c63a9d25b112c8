package org.protowrap.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.Problem;
import org.protowrap.api.RuleMode;

/**
 * A plugin declares a rule enforce-only ({@code Rule.enforceOnly}): the configuration check
 * refuses {@code log} and {@code off} for it, located, and leaves its other rules alone.
 */
class EnforceOnlyRuleTest {

    @TempDir
    static Path home;

    @BeforeAll
    static void buildPlugin() throws IOException {
        Path src = Files.createDirectories(home.resolve("src/com/example/strict"));
        Files.writeString(home.resolve("src/module-info.java"), """
                module com.example.strict {
                    requires org.protowrap.api;
                    provides org.protowrap.spi.ValidatorProvider with com.example.strict.StrictProvider;
                }
                """);
        Files.writeString(src.resolve("StrictProvider.java"), """
                package com.example.strict;

                import java.util.List;
                import java.util.Optional;
                import org.protowrap.api.*;

                public final class StrictProvider implements org.protowrap.spi.ValidatorProvider {
                    public String name() { return "strict"; }
                    public String description() { return "a validator with an enforce-only rule"; }
                    public List<Rule> rules() {
                        return List.of(Rule.enforceOnly("strict.framing", "where a unit ends"),
                                new Rule("strict.policy", RuleMode.ENFORCE, "a policy that may be relaxed"));
                    }
                    public Validator create(ValidatorConfig config) {
                        return new Validator() {
                            public ValidatorSession newSession(SessionInfo s) { return (data, out) -> out.sendToServer(data); }
                            public boolean serverSpeaksFirst() { return false; }
                            public Optional<byte[]> refusal(Refusal r) { return Optional.empty(); }
                        };
                    }
                }
                """);
        Path classes = home.resolve("classes");
        tool("javac", "--module-path", apiLocation().toString(), "-d", classes.toString(), "-proc:none",
                home.resolve("src/module-info.java").toString(), src.resolve("StrictProvider.java").toString());
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        tool("jar", "--create", "--file", plugins.resolve("strict.jar").toString(), "-C", classes.toString(), ".");
    }

    private static Configuration load(String rules) throws IOException {
        Path file = home.resolve("protowrap.yaml");
        Files.writeString(file, """
                wrappers:
                  - name: w
                    protocol: strict
                    listenPort: 7001
                    destAddr: 127.0.0.1:7002
                    rules: %s
                """.formatted(rules));
        return ConfigLoader.forHome(home).load(file);
    }

    @Test
    void logAndOffAreRefusedForAnEnforceOnlyRuleWithItsLocation() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("{strict.framing: log, strict.policy: off}"));
        assertEquals(List.of(home.resolve("protowrap.yaml") + ":6:13: wrappers[0].rules.strict.framing: accepts only enforce, not log"
                + " (strict declares it enforce-only)"), e.problems().stream().map(Problem::toString).toList());

        e = assertThrows(ConfigException.class, () -> load("{strict.framing: off}"));
        assertEquals(List.of(home.resolve("protowrap.yaml") + ":6:13: wrappers[0].rules.strict.framing: accepts only enforce, not off"
                + " (strict declares it enforce-only)"), e.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void enforceIsAcceptedAndTheOtherRulesKeepTheirModes() throws IOException {
        Configuration config = load("{strict.framing: enforce, strict.policy: log}");
        assertEquals(Map.of("strict.framing", RuleMode.ENFORCE, "strict.policy", RuleMode.LOG),
                config.wrappers().get(0).config().validation().rules());
    }

    private static Path apiLocation() {
        return Path.of(ModuleLayer.boot().configuration().findModule("org.protowrap.api").orElseThrow()
                .reference().location().orElseThrow());
    }

    private static void tool(String name, String... args) {
        StringWriter out = new StringWriter();
        int code = ToolProvider.findFirst(name).orElseThrow().run(new PrintWriter(out), new PrintWriter(out), args);
        if (code != 0) {
            throw new IllegalStateException(name + " failed:\n" + out);
        }
    }
}
