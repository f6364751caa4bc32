import { PrometheusSink } from '../../src/cli/metrics/prometheus-sink.ts';

/** The metric families of an exposition: name → type (from its # TYPE lines). */
export function familiesOf(page: string): Map<string, string> {
  return new Map([...page.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The names a query may use for a family: a histogram's or summary's also with _bucket, _sum and _count. */
export function queryableNames(families: Map<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of families) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** The exposition of a sink through which every kind of measurement went (per-partition series on), as a finished copy leaves it. */
export async function exercisedExposition(): Promise<string> {
  const sink = new PrometheusSink({ partitions: true });
  sink.stage('copy');
  sink.planned('copy', 'orders', 0, { records: 100, bytes: 10_000, endOffset: 120 }, 10);
  sink.position('copy', 'orders', 0, 20);
  sink.progressed('copy', 90, 9_000, 'orders', 0);
  sink.finished('copy', 'orders', 0);
  sink.planned('verify', 'orders', 0, { records: 100, bytes: 10_000 }, 0);
  sink.progressed('verify', 100, 10_000);
  sink.checkpointed();
  sink.retried('NOT_LEADER_OR_FOLLOWER');
  sink.waited('source', 0.5);
  sink.throttled('destination', 0.25);
  sink.committed(0.02);
  sink.inFlight(() => 0);
  sink.ended('copy', 7, 'COPY_FAILED');
  return sink.registry.metrics();
}
