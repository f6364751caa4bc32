#!/usr/bin/env bash
# scripts/fetch-librdkafka.sh: a recent librdkafka for the benchmark's kcat, into .cache/librdkafka/.
#
# kcat as Debian ships it links librdkafka 2.0.2, whose SCRAM is refused by Kafka 4 brokers
# (librdkafka before 2.6.1 repeated the client nonce in the final message; Kafka 4 checks it
# strictly, CVE-2024-56128). The benchmark's SASL_SSL profile runs kcat with this newer library
# (LD_LIBRARY_PATH), taken from the confluent-kafka wheel on PyPI, which bundles it built with
# SSL and SASL/SCRAM. Prints the folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION=2.16.1
DIR="$ROOT/.cache/librdkafka/$VERSION"
if [ ! -f "$DIR/librdkafka.so.1" ]; then
  mkdir -p "$DIR"
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 \
    "confluent-kafka==$VERSION" -d "$TMP" >&2
  python3 - "$TMP" "$DIR" <<'PY'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("confluent_kafka-*.whl"))
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.startswith("confluent_kafka.libs/librdkafka") and ".so" in n)
    (pathlib.Path(sys.argv[2]) / "librdkafka.so.1").write_bytes(z.read(name))
PY
fi
echo "$DIR"
