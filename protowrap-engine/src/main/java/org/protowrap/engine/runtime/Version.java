package org.protowrap.engine.runtime;

/** The program's version: the engine module's, as the build recorded it; {@code dev} when run from classes. */
public final class Version {

    private Version() {}

    public static String current() {
        Module engine = Version.class.getModule();
        return engine.getDescriptor() == null ? "dev" : engine.getDescriptor().rawVersion().orElse("dev");
    }
}
