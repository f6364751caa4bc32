import { type KcatEnds, type KcatPipe, quote } from './kcat-pipes.ts';

/**
 * The check a careful operator scripts after a kcat copy: dump both sides with kcat, every
 * partition of both at once, into SHA-256, and compare the digests. The dump holds what kcat's
 * copy keeps, key and value (kcat's -K output: the same text as -f '%k\t%s\n', printed with less
 * work); headers and timestamps, which the copy does not keep, are not compared.
 *
 * - after the `partition` pipes: one digest per partition, of its records in offset order. It
 *   catches a lost, extra, changed or reordered record, or one in another partition.
 * - after the `topic` pipe the records sit where the producer's partitioner put them, so there is
 *   no partition to compare with and no order to keep: each side's partitions are sorted, merged
 *   and digested as one. It catches a lost, extra or changed record, not its place or order.
 *
 * Exit 0: the digests match; 1: they differ; 2: a kcat failed.
 */
export function checkScript(pipe: KcatPipe, ends: KcatEnds, outDir: string): string {
  const partitions = [...Array(ends.partitions).keys()];
  const kcat = `{ kcat -C -b "$2" -t "$3" -p "$4" -o beginning -e -q -K '\\t' || echo "$1 partition $4: kcat failed" >>"$out/failed"; }`;
  const sides = [
    ['source', ends.sourceBootstrap, ends.sourceTopic],
    ['destination', ends.destBootstrap, ends.destTopic],
  ].map((words) => words.map(quote).join(' '));
  const head = [
    '#!/usr/bin/env bash',
    'set -u',
    `out=${quote(outDir)}`,
    'rm -rf "$out" && mkdir -p "$out"',
    "# SHA-256 by openssl where there is one: it uses the CPU's SHA instructions, coreutils' sha256sum may not (4× the CPU here).",
    'if command -v openssl >/dev/null; then digest() { openssl dgst -sha256 -r; }; else digest() { sha256sum; }; fi',
  ];
  const verdict = ['if [ -s "$out/failed" ]; then cat "$out/failed" >&2; exit 2; fi'];
  const body =
    pipe === 'partition'
      ? [
          "# dump SIDE BOOTSTRAP TOPIC PARTITION: the digest of the partition's key<TAB>value lines, in offset order",
          `dump() { ${kcat} | digest >"$out/$1.$4"; }`,
          `for p in $(seq 0 ${ends.partitions - 1}); do`,
          ...sides.map((side) => `  dump ${side} "$p" &`),
          'done',
          'wait',
          ...verdict,
          'status=0',
          `for p in $(seq 0 ${ends.partitions - 1}); do`,
          '  cmp -s "$out/source.$p" "$out/destination.$p" || { echo "partition $p: source and destination differ" >&2; status=1; }',
          'done',
          'exit "$status"',
        ]
      : [
          "# dump SIDE BOOTSTRAP TOPIC PARTITION: the partition's key<TAB>value lines, sorted",
          `dump() { ${kcat} | LC_ALL=C sort; }`,
          "# side SIDE BOOTSTRAP TOPIC: the digest of every partition's lines, merged in order",
          `side() { LC_ALL=C sort -m ${partitions.map((p) => `<(dump "$1" "$2" "$3" ${p})`).join(' ')} | digest >"$out/$1"; }`,
          ...sides.map((side) => `side ${side} &`),
          'wait',
          ...verdict,
          'cmp -s "$out/source" "$out/destination" || { echo "source and destination hold different records" >&2; exit 1; }',
        ];
  return [...head, ...body, ''].join('\n');
}
