import type { Summary } from './stats.ts';

const KREROUTE_TOOLS = new Set(['kreroute', 'kreroute-filter', 'kreroute-records']);
const CEILING_TOOLS = ['consumer-perf', 'producer-perf'];

/** The results table in Markdown: one row per profile and tool, medians, kreroute's speed ratios. */
export function renderTable(summaries: Summary[], profileLabels: Map<string, string>): string {
  const header = [
    'profile',
    'tool',
    'runs',
    'wall s',
    'start s',
    'msgs/s',
    'best msgs/s',
    'steady msgs/s',
    'MB/s',
    'CPU s',
    'CPU s/GB',
    'peak RSS MB',
    'brokers CPU s',
    'vs kcat',
    'vs MM2',
    'vs ceiling',
  ];
  const rows = summaries.map((s) => {
    const peers = summaries.filter((p) => p.profile === s.profile);
    const rate = (tool: string) => peers.find((p) => p.tool === tool)?.recordsPerSec ?? Number.NaN;
    const ceilings = CEILING_TOOLS.map((tool) => peers.find((p) => p.tool === tool)?.steadyRecordsPerSec ?? Number.NaN).filter(Number.isFinite);
    const ceiling = ceilings.length > 0 ? Math.min(...ceilings) : Number.NaN;
    const ratio = (mine: number, peer: number) => (KREROUTE_TOOLS.has(s.tool) ? times(mine / peer) : '');
    return [
      profileLabels.get(s.profile) ?? s.profile,
      s.tool,
      s.failed > 0 ? `${s.runs - s.failed}/${s.runs} ok` : String(s.runs),
      fixed(s.wallSeconds, 1),
      s.firstRecordSeconds === null ? '–' : fixed(s.firstRecordSeconds, 1),
      fixed(s.recordsPerSec, 0),
      s.runs - s.failed > 1 ? fixed(s.bestRecordsPerSec, 0) : '',
      fixed(s.steadyRecordsPerSec, 0),
      fixed(s.mbPerSec, 1),
      fixed(s.cpuSeconds, 1),
      fixed(s.cpuSecondsPerGb, 1),
      fixed(s.peakRssMb, 0),
      fixed(s.brokerCpuSeconds, 1),
      // A filtered copy of the tenants profiles compares with the filtered kcat pipe.
      ratio(s.recordsPerSec, rate(s.tool === 'kreroute-filter' && peers.some((p) => p.tool === 'kcat-grep') ? 'kcat-grep' : 'kcat')),
      ratio(s.recordsPerSec, rate('mm2')),
      ratio(s.steadyRecordsPerSec, ceiling),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

export function fixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
}

export const TABLE_NOTES = [
  'Medians over the runs, each column its own median.',
  'wall s: from starting the tool to the moment the destination holds every record it should (consumer-perf: until it has read them all), process start-up included. start s: until the first record reached the destination (polled every 0.2 s).',
  'msgs/s = source records / wall s; best msgs/s: the fastest run (on a busy machine, the one least disturbed). steady msgs/s = source records / (wall s − start s); for consumer-perf its own fetch-time rate (group join left out). kreroute-filter reads every record and writes those its filter keeps (a half of the text records, a third of the tenants profiles). MB/s: 10^6 bytes of key + value + headers per second; producer-perf writes value-only records of the same value size and counts those bytes.',
  "CPU s: user + system time of the tool's whole process tree (GNU time; MirrorMaker: read from /proc when it is stopped). CPU s/GB: per 10^9 bytes processed. Peak RSS: the largest resident memory of the tool's process tree. brokers CPU s: what the two brokers used during the run (they share the machine's cores with the tool).",
  "vs kcat, vs MM2: kreroute's msgs/s ÷ the peer's msgs/s (above 1× = kreroute faster end to end). vs ceiling: kreroute's steady msgs/s ÷ the slower of consumer-perf's and producer-perf's steady msgs/s.",
];
