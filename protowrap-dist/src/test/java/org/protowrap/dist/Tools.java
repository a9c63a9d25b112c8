package org.protowrap.dist;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real clients and servers the tests use, installed by scripts/install-test-tools. */
final class Tools {

    private Tools() {}

    /** The program's path; fails (not skips) when it is missing, so a missing tool is never a silent pass. */
    static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/usr/bin"}) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(program + " is not installed; run scripts/install-test-tools (as root)");
    }
}
