/**
 * The kcat copy as an operator scripts it. kcat's fastest text format that keeps the key is its
 * default one with -K (key, tab, value, newline; no -f or -J formatting). Limits of this peer,
 * which our data is shaped to avoid: the delimiters are not binary-safe (a tab or newline in a key
 * or value would split the record), and `kcat -P` cannot set per-record headers or timestamps, so
 * the copy drops both headers and takes new timestamps.
 *
 * - `partition`: one `kcat -C -p N | kcat -P -p N` pipe per partition, all at once: every record
 *   stays in its partition and in order.
 * - `topic`: one pipe for the whole topic. `kcat -P` reads key and value only: -p takes one fixed
 *   partition, and -f and -J are output formats of -C, so no input carries a record's partition.
 *   The producer's default partitioner (librdkafka's consistent_random: CRC32 of the key) places
 *   each record, in another partition than on the source for most.
 */
export type KcatPipe = 'partition' | 'topic';

/** Both ends of a copy. */
export interface KcatEnds {
  sourceBootstrap: string;
  sourceTopic: string;
  destBootstrap: string;
  destTopic: string;
  partitions: number;
  /** librdkafka properties files (kcat -F) for each side, e.g. SASL_SSL settings. */
  sourceConfig?: string;
  destConfig?: string;
  /** A filtered pipe (kcat-grep): only lines matching `grep` (on `key<TAB>value`) go on, produced with `codec` (kcat -z). */
  filter?: { grep: string; codec: string };
}

/** A shell word. */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A bash script that copies the source topic into the destination topic and fails if any kcat does. */
export function copyScript(pipe: KcatPipe, ends: KcatEnds): string {
  const config = (file: string | undefined) => (file ? ` -F ${quote(file)}` : '');
  const from = `kcat -C${config(ends.sourceConfig)} -b ${quote(ends.sourceBootstrap)} -t ${quote(ends.sourceTopic)}`;
  const to = `kcat -P${config(ends.destConfig)} -b ${quote(ends.destBootstrap)} -t ${quote(ends.destTopic)}${ends.filter ? ` -z ${quote(ends.filter.codec)}` : ''}`;
  // C locale: grep matches bytes, as fast as it goes.
  const grep = ends.filter ? ` | LC_ALL=C grep ${quote(ends.filter.grep)}` : '';
  const body =
    pipe === 'topic'
      ? ['# One pipe for the whole topic; the producer partitions by key.', 'set -o pipefail', `${from} -o beginning -e -q -K '\\t'${grep} | ${to} -K '\\t'`]
      : [
          '# One pipeline per partition; fails if any pipeline fails.',
          'pids=()',
          `for p in $(seq 0 ${ends.partitions - 1}); do`,
          `  ( set -o pipefail; ${from} -p "$p" -o beginning -e -q -K '\\t' \\`,
          `     ${grep} | ${to} -p "$p" -K '\\t' ) &`,
          '  pids+=("$!")',
          'done',
          'status=0',
          'for pid in "${pids[@]}"; do wait "$pid" || status=1; done',
          'exit "$status"',
        ];
  return ['#!/usr/bin/env bash', ...body, ''].join('\n');
}
