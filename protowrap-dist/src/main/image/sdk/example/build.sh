#!/bin/sh
# Builds the example plugin from the sdk/ folder alone: compiles it against the API, runs its
# tests with the test kit, and writes build/protowrap-finger.jar, ready for ProtoWrap's plugins/.
# Needs a JDK 25 (javac): $JAVA_HOME, or javac on the PATH.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sdk=$(dirname "$here")
bin=${JAVA_HOME:+$JAVA_HOME/bin/}
version=$("${bin}javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
if [ -z "$version" ] || [ "$version" -lt 25 ]; then
    echo "error: this needs javac from a JDK 25 or newer; set JAVA_HOME to one" >&2
    exit 1
fi
build="$here/build"
rm -rf "$build"
mkdir -p "$build/classes" "$build/test-classes"

echo "compiling the plugin"
"${bin}javac" -Xlint:all -Werror --release 25 --module-path "$sdk/protowrap-api.jar" \
    -d "$build/classes" $(find "$here/src/main/java" -name '*.java')
"${bin}jar" --create --file "$build/protowrap-finger.jar" -C "$build/classes" .

echo "compiling and running the tests"
"${bin}javac" -Xlint:all -Werror --release 25 \
    --class-path "$build/classes:$sdk/protowrap-api.jar:$sdk/protowrap-testkit.jar" \
    -d "$build/test-classes" $(find "$here/src/test/java" -name '*.java')
"${bin}java" --class-path "$build/test-classes:$build/classes:$sdk/protowrap-api.jar:$sdk/protowrap-testkit.jar" \
    org.example.finger.test.FingerTests "$here/src/test/resources"

echo "built $build/protowrap-finger.jar: copy it into ProtoWrap's plugins/ folder"
