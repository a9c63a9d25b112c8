package org.protowrap.engine.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.cli.Main;
import org.protowrap.spi.BalancerProvider;
import org.protowrap.spi.ValidatorProvider;

class PluginRegistryTest {

    @TempDir
    Path work;

    private Path plugins() throws Exception {
        return Files.createDirectories(work.resolve("plugins"));
    }

    @Test
    void engineModuleDeclaresUsesForEachSpi() {
        Module engine = Main.class.getModule();
        assertTrue(engine.isNamed(), "tests must run on the module path");
        assertTrue(engine.canUse(ValidatorProvider.class), "module-info lacks 'uses ValidatorProvider'");
        assertTrue(engine.canUse(BalancerProvider.class), "module-info lacks 'uses BalancerProvider'");
    }

    @Test
    void findsTheBuiltInLineValidatorInTheBootLayer() {
        PluginRegistry registry = PluginRegistry.builtIn();
        Plugin line = registry.find(PluginKind.VALIDATOR, "line").orElseThrow();
        assertTrue(line.builtIn());
        assertEquals("org.protowrap.engine", line.module());
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
    }

    @Test
    void loadsAValidatorAndABalancerFromAPluginJar() throws Exception {
        Path jar = PluginJar.module("com.example.fixture").validator("fixture").balancer("first").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        Plugin validator = registry.find(PluginKind.VALIDATOR, "fixture").orElseThrow();
        assertFalse(validator.builtIn());
        assertEquals("plugin", validator.origin());
        assertEquals("com.example.fixture", validator.module());
        assertEquals(jar.toString(), validator.location());
        Module module = validator.provider().getClass().getModule();
        assertNotSame(ModuleLayer.boot(), module.getLayer(), "a plugin must live in the child layer");
        assertTrue(registry.find(PluginKind.BALANCER, "first").isPresent());
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
    }

    @Test
    void aCopyOfTheApiJarInThePluginsFolderDefersToTheImagesApi() throws Exception {
        Path api = PluginJar.apiLocation();
        if (Files.isRegularFile(api)) {
            Files.copy(api, plugins().resolve("protowrap-api.jar"));
        } else {
            PluginJar.module("org.protowrap.api").buildInApiCopy(plugins());
        }
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        ValidatorProvider provider = registry.validator("fixture").orElseThrow();
        assertSame(ValidatorProvider.class.getModule(), provider.getClass().getModule().getLayer()
                .findModule("org.protowrap.api").orElseThrow(), "the plugin must bind to the engine's API module");
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
    }

    @Test
    void aPluginThatBundlesTheApiInsideItselfIsRefusedWithAClearMessage() throws Exception {
        Path shaded = PluginJar.module("com.example.shaded").validator("shaded").bundlingApi().buildIn(plugins());
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        assertTrue(registry.find(PluginKind.VALIDATOR, "shaded").isEmpty());
        assertTrue(registry.find(PluginKind.VALIDATOR, "fixture").isPresent(), "the good plugin must still load");
        PluginProblem problem = only(registry.problems());
        assertEquals(shaded.toString(), problem.location());
        assertTrue(problem.message().contains("bundles its own copy of the ProtoWrap API"), problem.message());
        assertFalse(problem.fatal());
    }

    @Test
    void twoJarsProvidingOneNameAreAFatalProblemNamingBothModulesAndJars() throws Exception {
        Path a = PluginJar.module("com.example.one").validator("twin").buildIn(plugins());
        Path b = PluginJar.module("com.example.two").validator("twin").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        PluginProblem problem = only(registry.problems());
        assertTrue(problem.fatal());
        for (String expected : List.of("validator twin", "com.example.one", "com.example.two", a.toString(), b.toString())) {
            assertTrue(problem.message().contains(expected), problem.message() + " lacks " + expected);
        }
        assertTrue(registry.validator("twin").isEmpty(), "an ambiguous name must not resolve");
    }

    @Test
    void aJarThatIsNotAModuleIsReportedAndTheOthersStillLoad() throws Exception {
        Path plain = PluginJar.module("com.example.plain").validator("plain").unnamed().buildIn(plugins());
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        PluginProblem problem = only(registry.problems());
        assertEquals(plain.toString(), problem.location());
        assertTrue(problem.message().contains("is not a named module"), problem.message());
        assertTrue(registry.validator("fixture").isPresent());
        assertTrue(registry.validator("plain").isEmpty());
    }

    @Test
    void aCorruptJarIsReportedAndTheOthersStillLoad() throws Exception {
        Path corrupt = PluginJar.corrupt(plugins(), "broken.jar");
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        PluginProblem problem = only(registry.problems());
        assertEquals(corrupt.toString(), problem.location());
        assertTrue(problem.message().startsWith("cannot be read as a module"), problem.message());
        assertTrue(registry.validator("fixture").isPresent());
    }

    @Test
    void aProviderWhoseConstructorThrowsIsReportedAndSkippedAndTheOthersStillLoad() throws Exception {
        Path bad = PluginJar.module("com.example.faulty").validator("faulty").throwingConstructor().buildIn(plugins());
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        PluginProblem problem = only(registry.problems());
        assertEquals(bad.toString(), problem.location());
        for (String expected : List.of("com.example.faulty.FixtureValidatorProvider", "IllegalStateException",
                "fixture cannot start")) {
            assertTrue(problem.message().contains(expected), problem.message() + " lacks " + expected);
        }
        assertFalse(problem.fatal());
        assertTrue(registry.validator("fixture").isPresent(), "the good plugin must still load");
        assertTrue(registry.validator("faulty").isEmpty());
    }

    @Test
    void aJarRequiringAnAbsentModuleIsDroppedAloneAndNamedWithThatModule() throws Exception {
        String absent = "com.example.absent";
        Path bad = PluginJar.module("com.example.needy").validator("needy").requiring(absent).buildIn(plugins());
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());
        PluginJar.module("com.example.zeta").balancer("zeta").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        PluginProblem problem = only(registry.problems());
        assertEquals(bad.toString(), problem.location());
        assertTrue(problem.message().contains("com.example.needy") && problem.message().contains(absent),
                problem.message());
        assertFalse(problem.message().contains("package"), problem.message());
        assertTrue(registry.validator("fixture").isPresent(), "a good jar before it must still load");
        assertTrue(registry.balancer("zeta").isPresent(), "a good jar after it must still load");
    }

    @Test
    void aProviderNameOutsideTheDocumentedFormIsRefused() throws Exception {
        Path bad = PluginJar.module("com.example.shouty").validator("POP3").buildIn(plugins());
        PluginJar.module("com.example.spaced").balancer("least conn").buildIn(plugins());
        PluginJar.module("com.example.fixture").validator("fixture").buildIn(plugins());

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins()));

        assertEquals(2, registry.problems().size(), registry.problems().toString());
        PluginProblem problem = registry.problems().get(0);
        assertEquals(bad.toString(), problem.location());
        assertTrue(problem.message().contains("\"POP3\" is not a lower-case word"), problem.message());
        assertTrue(registry.problems().get(1).message().contains("\"least conn\""), registry.problems().toString());
        assertTrue(registry.validator("POP3").isEmpty());
        assertTrue(registry.validator("fixture").isPresent());
    }

    @Test
    void aMissingPluginsFolderMeansBuiltInsOnly() {
        PluginRegistry registry = PluginRegistry.load(Optional.of(work.resolve("absent")));
        assertTrue(registry.validator("line").isPresent());
        assertTrue(registry.problems().isEmpty());
    }

    private static PluginProblem only(List<PluginProblem> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }
}
