# Sourced by the other scripts: selects a JDK 25 or newer and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is 25+, then JDKs under /usr/lib/jvm, newest first.

java_feature() { # prints the feature version of the JDK at $1, or nothing
    [ -x "$1/bin/java" ] && [ -x "$1/bin/jlink" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

select_jdk() {
    local candidate feature
    for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do
        [ -n "$candidate" ] || continue
        feature=$(java_feature "$candidate")
        if [ -n "$feature" ] && [ "$feature" -ge 25 ]; then
            export JAVA_HOME="$candidate"
            export PATH="$JAVA_HOME/bin:$PATH"
            return 0
        fi
    done
    echo "error: ProtoWrap needs a JDK 25 or newer (with jlink), and none was found." >&2
    echo "       Install one under /usr/lib/jvm (e.g. Temurin 25), or set JAVA_HOME to it." >&2
    return 1
}

select_jdk

# Maven builds the project (scripts/install-test-tools installs it); say so clearly if it is missing.
if ! command -v mvn >/dev/null 2>&1; then
    echo "error: Maven (mvn) is not installed; on Debian: apt-get install maven" >&2
    return 1 2>/dev/null || exit 1
fi

# Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 25 warns about on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
