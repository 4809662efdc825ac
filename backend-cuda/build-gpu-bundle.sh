#!/usr/bin/env bash
# Builds the bundle that backend-cuda/gpu-check.sh runs on a GPU machine without Java and without
# network: a jlinked Java runtime (java.base, java.logging, jdk.incubator.vector, jdk.unsupported),
# the jars (Tessera's modules, JCuda with its linux-x86_64 natives, JUnit), the test classes (tests/kit:
# the conformance kit of backend-cpu's test-jar; tests/cuda: backend-cuda's own tests), the kernel sources some of those
# tests read, and gpu-check.sh itself. Result: backend-cuda/target/gpu-bundle/ and
# backend-cuda/target/gpu-bundle.tar.gz (must stay under 64 MiB).
#
# Usage: backend-cuda/build-gpu-bundle.sh        (from anywhere; runs an offline Maven build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bundle="$here/target/gpu-bundle"
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
offline="${MAVEN_OFFLINE:--o}"

cd "$root"
# One reactor build: the jars of core, backend-cpu (and its test-jar), nn and backend-cuda, the test
# classes of backend-cuda, and every test-scope dependency copied next to them (siblings as built now,
# never stale snapshots from the local repository).
rm -rf "$bundle" "$here/target/gpu-bundle.tar.gz"
mvn -B -q $offline -pl backend-cuda -am -DskipTests package \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=test -DoutputDirectory="$bundle/lib" -Dmdep.useBaseVersion=true
# copy-dependencies ran in every module of the reactor into the same folder: keep it to what
# backend-cuda's tests need, plus backend-cuda itself and its test classes.
cp "$here"/target/tessera-backend-cuda-*.jar "$bundle/lib/"
# The test classes as folders (JUnit scans them; scanning a jar would need the jdk.zipfs module).
mkdir -p "$bundle/tests/kit" "$bundle/tests/cuda"
(cd "$bundle/tests/kit" && jar xf "$bundle"/lib/tessera-backend-cpu-*-tests.jar && rm -rf META-INF/maven)
rm "$bundle"/lib/tessera-backend-cpu-*-tests.jar
cp -r "$here/target/test-classes/." "$bundle/tests/cuda/"
# Natives for other platforms are not needed on the GPU machine.
rm -f "$bundle"/lib/*-windows-* "$bundle"/lib/*-apple-* "$bundle"/lib/*-linux-ppc* "$bundle"/lib/*-linux-aarch64*
# Build tools that the copy picked up from other modules (e.g. JMH's annotation processor) are not needed either.
rm -f "$bundle"/lib/jmh-* "$bundle"/lib/xchart-* "$bundle"/lib/jopt-* "$bundle"/lib/commons-math3-*

mkdir -p "$bundle/core/src/main/resources/dev/tessera" "$bundle/backend-cuda"
cp -r "$root/core/src/main/resources/dev/tessera/kernels" "$bundle/core/src/main/resources/dev/tessera/"
cp "$here/gpu-check.sh" "$bundle/"

"$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$bundle/runtime"

tar -C "$here/target" -czf "$here/target/gpu-bundle.tar.gz" gpu-bundle
size=$(stat -c %s "$here/target/gpu-bundle.tar.gz")
echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1) unpacked), $here/target/gpu-bundle.tar.gz ($((size / 1024 / 1024)) MiB)"
ls "$bundle/lib"
if [ "$size" -gt $((64 * 1024 * 1024)) ]; then
  echo "build-gpu-bundle.sh: the bundle is over 64 MiB" >&2
  exit 1
fi
