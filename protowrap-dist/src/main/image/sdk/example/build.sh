#!/bin/sh
# Builds the example plugin against ProtoWrap's sdk/ folder: compiles it against the API, runs its
# tests with the test kit, and writes build/protowrap-finger.jar (in the current folder), ready for
# ProtoWrap's plugins/.
# Needs a JDK 25 (javac): $JAVA_HOME, or javac on the PATH; and the sdk/ folder: $PROTOWRAP_SDK, or
# the folder above this script when it holds the jars (the example where the image ships it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sdk=${PROTOWRAP_SDK:-$(dirname "$here")}
for jar in protowrap-api.jar protowrap-testkit.jar; do
    if [ ! -f "$sdk/$jar" ]; then
        echo "error: $sdk/$jar not found; set PROTOWRAP_SDK to the sdk folder of a ProtoWrap image" >&2
        exit 1
    fi
done
bin=${JAVA_HOME:+$JAVA_HOME/bin/}
version=$("${bin}javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
if [ -z "$version" ] || [ "$version" -lt 25 ]; then
    echo "error: this needs javac from a JDK 25 or newer; set JAVA_HOME to one" >&2
    exit 1
fi
build="$(pwd)/build"
rm -rf "$build/classes" "$build/test-classes" "$build/protowrap-finger.jar"
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
