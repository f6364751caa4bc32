#!/usr/bin/env bash
# Builds the tests' schema registry (Apicurio Registry, from Maven Central, see scripts/registry/pom.xml)
# into $KREROUTE_CACHE_DIR/schema-registry/: a Quarkus runner jar and its lib/. Idempotent: does nothing
# when the registry there was built from the same scripts/registry/. src/local/schema-registry.ts starts it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KREROUTE_CACHE_DIR:-$ROOT/.cache}"
OUT="$CACHE/schema-registry"
BUILD_ID="$(cd "$ROOT/scripts/registry" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
[ -f "$OUT/schema-registry-runner.jar" ] && [ "$(cat "$OUT/build-id" 2>/dev/null)" = "$BUILD_ID" ] && exit 0

echo "bootstrap: building the tests' schema registry into $OUT (a few minutes, once)"
BUILD="$(mktemp -d)"
trap 'rm -rf "$BUILD"' EXIT
cp -r "$ROOT/scripts/registry/." "$BUILD/"
(cd "$BUILD" && mvn -B -q -ntp package -DskipTests ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local="$MAVEN_REPO_LOCAL"}) >"$BUILD/build.log" 2>&1 || {
  tail -40 "$BUILD/build.log" >&2
  echo "bootstrap: could not build the schema registry (log above)" >&2
  exit 1
}
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
cp -r "$BUILD/target/lib" "$OUT.tmp/lib"
cp "$BUILD/target/schema-registry-1-runner.jar" "$OUT.tmp/schema-registry-runner.jar"
echo "$BUILD_ID" > "$OUT.tmp/build-id"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
