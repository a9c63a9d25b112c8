package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protowrap check} through the image refuses {@code log} and {@code off} for a rule its
 * plugin declares enforce-only ({@code Rule.enforceOnly}), with the file, line and column, and
 * accepts the plugin's other rules relaxed; the same for the built-in HTTP validator's framing rules.
 */
@Timeout(120)
class EnforceOnlyRuleIT {

    @TempDir
    static Path work;
    static Path plugins;

    @BeforeAll
    static void buildPlugin() throws IOException {
        plugins = Files.createDirectories(work.resolve("plugins"));
        Path src = Files.createDirectories(work.resolve("src/com/example/strict"));
        Files.writeString(work.resolve("src/module-info.java"), """
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
        Path classes = work.resolve("classes");
        tool("javac", "--module-path", apiJar().toString(), "-d", classes.toString(), "-proc:none",
                work.resolve("src/module-info.java").toString(), src.resolve("StrictProvider.java").toString());
        tool("jar", "--create", "--file", plugins.resolve("strict.jar").toString(), "-C", classes.toString(), ".");
    }

    private static Path config(String name, String rules) throws IOException {
        return Files.writeString(work.resolve(name), """
                pluginsDir: %s
                wrappers:
                  - name: w
                    protocol: strict
                    listenPort: 7001
                    destAddr: 127.0.0.1:7002
                    rules:
                      %s
                """.formatted(plugins, rules));
    }

    @Test
    void checkRefusesLogForAnEnforceOnlyRuleNamingFileLineColumnAndRule() throws Exception {
        Path config = config("relaxed.yaml", "strict.framing: log");

        ImageIT.Result r = ImageIT.protowrap("check", "--config", config.toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("relaxed.yaml:8:7: wrappers[0].rules.strict.framing: accepts only enforce, not log"
                + " (strict declares it enforce-only)"), r.err());
        assertFalse((r.out() + r.err()).contains("\tat "), "no stack trace:\n" + r.out() + r.err());
    }

    @Test
    void checkAcceptsEnforceForItAndOffForAnOrdinaryRule() throws Exception {
        Path config = config("strict.yaml", "{strict.framing: enforce, strict.policy: off}");

        ImageIT.Result r = ImageIT.protowrap("check", "--config", config.toString());

        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("OK, 1 wrapper"), r.out());
    }

    @Test
    void checkRefusesRelaxingABuiltInHttpFramingRule() throws Exception {
        Path config = Files.writeString(work.resolve("http.yaml"), """
                wrappers:
                  - name: web
                    protocol: http
                    listenPort: 7003
                    destAddr: 127.0.0.1:7004
                    rules: {http.line.bare-lf: log, http.cl.invalid: off}
                """);

        ImageIT.Result r = ImageIT.protowrap("check", "--config", config.toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("http.yaml:6:37: wrappers[0].rules.http.cl.invalid: accepts only enforce, not off"
                + " (http declares it enforce-only)"), r.err());
        assertFalse(r.err().contains("bare-lf"), "a named relaxation may be set to log: " + r.err());
    }

    private static Path apiJar() {
        try {
            return Path.of(org.protowrap.spi.ValidatorProvider.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void tool(String name, String... args) {
        StringWriter out = new StringWriter();
        int code = ToolProvider.findFirst(name).orElseThrow().run(new PrintWriter(out), new PrintWriter(out), args);
        if (code != 0) {
            throw new IllegalStateException(name + " failed:\n" + out);
        }
    }
}
