package org.protowrap.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleTest {

    @Test
    void aRuleMadeAsBeforeAcceptsEveryMode() {
        Rule rule = new Rule("x.policy", RuleMode.LOG, "a policy");
        assertFalse(rule.enforceOnly());
        for (RuleMode mode : RuleMode.values()) {
            assertTrue(rule.accepts(mode), mode.configName());
        }
    }

    @Test
    void anEnforceOnlyRuleAcceptsOnlyEnforceItsDefault() {
        Rule rule = Rule.enforceOnly("x.framing", "where a unit ends");
        assertTrue(rule.enforceOnly());
        assertEquals(RuleMode.ENFORCE, rule.defaultMode());
        assertTrue(rule.accepts(RuleMode.ENFORCE));
        assertFalse(rule.accepts(RuleMode.LOG));
        assertFalse(rule.accepts(RuleMode.OFF));
    }

    @Test
    void anEnforceOnlyRuleWithAnotherDefaultIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Rule("x.framing", RuleMode.LOG, "where a unit ends", true));
        assertTrue(e.getMessage().contains("x.framing"), e.getMessage());
    }

    @Test
    void aValidatorSeesEnforceForAnEnforceOnlyRuleWhateverItsConfigurationSays() {
        Rule framing = Rule.enforceOnly("x.framing", "where a unit ends");
        Rule policy = new Rule("x.policy", RuleMode.ENFORCE, "a policy");
        ValidatorConfig config = new ValidatorConfig("w", 512, true,
                Map.of("x.framing", RuleMode.OFF, "x.policy", RuleMode.OFF), MapOptions.of(Map.of()));
        assertEquals(RuleMode.ENFORCE, config.mode(framing));
        assertEquals(RuleMode.OFF, config.mode(policy));
    }
}
