import type { RunResult } from './run.ts';

export interface ScaleReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: { cpu: string; nproc: number; memoryGiB: number; kernel: string; node: string; java: string; kafka: string; kcat: string };
  kreroute: { commit: string; uncommittedSrcFiles: number };
  setup: {
    records: number;
    valueBytes: number;
    recordBytes: number;
    partitions: number;
    rateMbit: number;
    caps: string[];
    loadSeconds: number;
    brokerHeap: string;
  };
  runs: RunResult[];
  errors: string[];
}

const MB = 1e6;
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

/** The N = 1 link-bound run every speed-up is measured against. */
function baseline(runs: RunResult[]): RunResult | undefined {
  return runs.find((r) => r.link && r.workers === 1 && !r.kill && !r.error);
}

function oracleCell(r: RunResult): string {
  if (!r.oracle) return '–';
  const o = r.oracle;
  const ok = o.lost === 0 && o.duplicated === 0 && o.extra === 0 && o.allSameSequence && o.source === o.destination;
  return `${ok ? '✓' : '✗'} ${thousands(o.destination)}/${thousands(o.source)}, lost ${o.lost}, dup ${o.duplicated}${o.extra ? `, extra ${o.extra}` : ''}${o.allSameSequence ? '' : ', order/content differs'}`;
}

function verifyCell(r: RunResult): string {
  if (!r.verify) return '–';
  if (r.verify.exitCode === 0)
    return r.verify.passed ? `passed (${fixed(r.verify.seconds)} s, CPU ${fixed(r.verify.cpuSeconds)} s)` : `exit 0, passed=${r.verify.passed}`;
  return `exit ${r.verify.exitCode}`;
}

export function renderTable(report: ScaleReport): string {
  const base = baseline(report.runs);
  const linkBytesPerS = (report.setup.rateMbit * 1e6) / 8;
  const header =
    '| run | workers | link | wall s | msgs/s | MB/s | speed-up vs N=1 | ≥ 0.8·N | MB/s per worker (link use) | workers CPU s | brokers CPU s | machine busy cores | others cores | load max | oracle | kreroute verify |';
  const rule = '|---|---:|---|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---|---|';
  const rows = report.runs.map((r) => {
    if (r.error && !r.copy) return `| ${r.label} | ${r.workers} | | FAILED: ${r.error} |`;
    const wall = r.copy.wallSeconds;
    const rate = r.plan.records / wall;
    const mbs = r.plan.bytes / wall / MB;
    const speedUp = !r.link ? Number.NaN : base && r !== base ? rate / (base.plan.records / base.copy.wallSeconds) : r === base ? 1 : Number.NaN;
    const target = r.link && Number.isFinite(speedUp) ? (speedUp >= 0.8 * r.workers ? '✓' : '✗') : '–';
    const perWorker = r.copy.shards.map((s) => s.bytes / (s.exits.reduce((t, e) => t + e.seconds, 0) || 1) / MB);
    const meanPerWorker = perWorker.reduce((a, b) => a + b, 0) / Math.max(1, perWorker.length);
    const linkUse = r.link ? ` (${Math.round((meanPerWorker * MB * 100) / linkBytesPerS)} %)` : '';
    const link = r.link ? `${report.setup.rateMbit} Mbit/s` : 'loopback';
    return `| ${r.label}${r.error ? ` ✗ ${r.error}` : ''} | ${r.workers} | ${link} | ${fixed(wall)} | ${thousands(rate)} | ${fixed(mbs)} | ${Number.isFinite(speedUp) ? `${fixed(speedUp, 2)}×` : '–'} | ${target} | ${fixed(meanPerWorker)}${linkUse} | ${fixed(r.workersCpuSeconds)} | ${fixed(r.brokersCpuSeconds)} | ${fixed(r.machineBusyCores, 2)} | ${fixed(r.otherCores, 2)} | ${fixed(r.loadavgMax, 2)} | ${oracleCell(r)} | ${verifyCell(r)} |`;
  });
  return [header, rule, ...rows].join('\n');
}

export function renderMarkdown(report: ScaleReport): string {
  const m = report.machine;
  const s = report.setup;
  const lines = [
    `# kreroute scale test, ${report.startedAt}`,
    '',
    `\`${report.command}\`; kreroute ${report.kreroute.commit}${report.kreroute.uncommittedSrcFiles ? ` (+${report.kreroute.uncommittedSrcFiles} uncommitted files under src/)` : ''}.`,
    `Machine: ${m.cpu}, nproc ${m.nproc}, ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; ${m.java}; Kafka ${m.kafka} (heap ${s.brokerHeap}); ${m.kcat}.`,
    `Data: ${thousands(s.records)} records × ${s.valueBytes} B values (${s.recordBytes} B of key, value and headers each) over ${s.partitions} partitions, loaded in ${fixed(s.loadSeconds)} s. Each worker's link: ${s.rateMbit} Mbit/s each direction (tc tbf on both ends of its veth pair).`,
    '',
    renderTable(report),
    '',
    "## Plans (`plan --exact`, unthrottled, in the brokers' namespace)",
    '',
    '| run | seconds | CPU s | records | MB |',
    '|---|---:|---:|---:|---:|',
    ...report.runs
      .filter((r) => r.plan)
      .map((r) => `| ${r.label} | ${fixed(r.plan.seconds)} | ${fixed(r.plan.cpuSeconds)} | ${thousands(r.plan.records)} | ${fixed(r.plan.bytes / MB, 0)} |`),
    '',
    '## Shards',
    '',
    '| run | shard | namespace | processes (exit) | finished at s | records | MB | CPU s | resumed |',
    '|---|---:|---|---|---:|---:|---:|---:|---|',
    ...report.runs.flatMap((r) =>
      (r.copy?.shards ?? []).map(
        (sh) =>
          `| ${r.label} | ${sh.shard} | ${sh.ns ?? 'brokers (loopback)'} | ${sh.exits.map((e) => `${fixed(e.seconds)} s (${e.code ?? e.signal})`).join(', ')} | ${fixed(sh.finishedAtS)} | ${thousands(sh.records)} | ${fixed(sh.bytes / MB)} | ${fixed(sh.cpuSeconds)} | ${sh.resumed ? 'yes' : 'no'} |`,
      ),
    ),
  ];
  for (const r of report.runs) {
    const k = r.copy?.kill;
    if (!k) continue;
    lines.push(
      '',
      `## Kill in ${r.label}`,
      '',
      `Shard ${k.shard}'s worker was killed (SIGKILL) ${fixed(k.afterStartLineS)} s after its "starting the copy" line (${fixed(k.atS)} s into the run), when it had reported ${thousands(k.recordsReportedBeforeKill)} records copied; restarted with the same command, it said "${k.restartLine ?? '?'}".`,
    );
  }
  lines.push('', '## Commands', '');
  for (const r of report.runs) {
    lines.push(`- ${r.label}: \`${r.plan?.command}\``);
    for (const sh of r.copy?.shards ?? []) lines.push(`  - \`${sh.command}\``);
    if (r.verify) lines.push(`  - \`${r.verify.command}\`${r.verify.message ? ` → ${r.verify.message}` : ''}`);
  }
  lines.push('', '## Caps', '', ...s.caps.map((c) => `- ${c}`));
  if (report.errors.length > 0) lines.push('', '## Errors', '', ...report.errors.map((e) => `- ${e}`));
  return `${lines.join('\n')}\n`;
}
