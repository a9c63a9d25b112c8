package org.protowrap.api;

/** What a validator does when one of its named rules matches. */
public enum RuleMode {
    /** Refuse: reply with the protocol's error, and never forward the offending unit. */
    ENFORCE,
    /** Report the match in the log and let the unit through. */
    LOG,
    /** Do not check. */
    OFF;

    /** The word used in configuration files. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
