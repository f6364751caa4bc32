import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RecordFilterSpec, createPlan, writePlanFile } from '../../src/index.ts';
import { measure } from '../measure.ts';
import { saslSslSettings, writeKrerouteProperties } from '../sasl-ssl.ts';
import { type Tool, type ToolContext, type ToolResult, destinationName, freshDestinationTopic } from './tool.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cliMain = path.join(repoRoot, 'src', 'cli', 'main.ts');
const libraryRunner = path.join(repoRoot, 'bench', 'run-kreroute.ts');

/** bundle: the CLI as `npm run build` ships it (built once per benchmark); source: node src/cli/main.ts; library: copyPlan. */
export type KrerouteDriver = 'bundle' | 'source' | 'library';

interface KrerouteOptions {
  filtered: boolean;
  /** Decode and re-encode every record although the batches could be forwarded (library only). */
  recordMode?: boolean;
  driver: KrerouteDriver;
  /** The built CLI's launcher (scripts/bundle-cli.ts), for driver `bundle`. */
  bundle: string | undefined;
  /** Run node with --cpu-prof, the profile going to the run's folder. */
  cpuProf: boolean;
  /** Environment variables the copy runs with besides this process's (bench:ab's variants). */
  env?: Record<string, string>;
}

/** kreroute: plan (not timed), then `copy` in its own process (timed and measured). */
export function krerouteTool(options: KrerouteOptions): Tool {
  const name = options.filtered ? 'kreroute-filter' : options.recordMode ? 'kreroute-records' : 'kreroute';
  return {
    name,
    // Over SASL_SSL through the CLI only (bench/run-kreroute.ts takes bootstrap addresses alone).
    saslSsl: !options.recordMode && options.driver !== 'library',
    summary: options.filtered
      ? "kreroute plan with the profile's filter (text records: --header tenant=a, half of them; tenants profiles: --key-prefix tenant-b-, a third), then kreroute copy"
      : options.recordMode
        ? 'kreroute plan (all records), then a copy with passthrough off: every record decoded and re-encoded (through the library)'
        : 'kreroute plan (all records), then kreroute copy (default mode)',
    run: (context) => runKreroute(context, name, options),
  };
}

async function runKreroute(context: ToolContext, name: string, options: KrerouteOptions): Promise<ToolResult> {
  const { profile, factory, source, destination } = context;
  const destinationTopic = await freshDestinationTopic(context, destinationName(context, name));
  const filter: RecordFilterSpec | undefined = options.filtered ? factory.filter.spec : undefined;
  const planFile = path.join(context.workDir, 'plan.json');
  const stateDir = path.join(context.workDir, 'state');
  const secure = context.saslSsl;
  const plan = await createPlan({
    source: secure ? await saslSslSettings(secure.source) : { bootstrap: [source.bootstrap] },
    destination: secure ? await saslSslSettings(secure.destination) : { bootstrap: [destination.bootstrap] },
    topics: [context.sourceTopic],
    destinationTopic,
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    ...(filter ? { filter } : {}),
  });
  await writePlanFile(planFile, plan);

  const driver = options.recordMode ? 'library' : options.driver;
  if (secure && driver === 'library') throw new Error(`${name} cannot copy over SASL_SSL through the library driver`);
  const ends = secure
    ? [
        ...[
          '--source',
          secure.source.bootstrap,
          '--source-config',
          await writeKrerouteProperties(path.join(context.workDir, 'source.properties'), secure.source),
        ],
        ...[
          '--destination',
          secure.destination.bootstrap,
          '--dest-config',
          await writeKrerouteProperties(path.join(context.workDir, 'destination.properties'), secure.destination),
        ],
      ]
    : ['--source', source.bootstrap, '--destination', destination.bootstrap];
  const args =
    driver === 'library'
      ? [
          ...nodeFlags(options.cpuProf, context.workDir),
          libraryRunner,
          planFile,
          source.bootstrap,
          destination.bootstrap,
          stateDir,
          ...(options.recordMode ? ['--record-mode'] : []),
        ]
      : [...cliArgs(driver, options, context.workDir), 'copy', planFile, ...ends, '--state-dir', stateDir, '--json'];
  const expected = options.filtered ? factory.filteredCount(profile.records, profile.partitions) : profile.records;
  const progress = () => destination.endOffsetSum(destinationTopic, profile.partitions);
  const measured = await measure({
    command: process.execPath,
    args,
    cwd: repoRoot,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    logFile: path.join(context.workDir, `${name}.log`),
    timeoutMs: context.timeoutMs,
    progress,
    target: expected,
    signal: context.signal,
  });
  return {
    ...measured,
    records: profile.records,
    bytes: profile.records * factory.recordBytes,
    expected,
    found: await destination.countRecords(destinationTopic, context.timeoutMs),
    details: {
      driver,
      cpuProf: options.cpuProf,
      command: describeCommand(args),
      filter: filter ?? null,
      // What the copy left on the destination's disk (compare kcat-grep's, and the source's).
      destinationBytes: await destination.bytesOnDisk(destinationTopic),
    },
  };
}

function nodeFlags(cpuProf: boolean, workDir: string): string[] {
  return cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${workDir}`] : [];
}

/** node's arguments up to the CLI's command: its flags, then the bundle's launcher or src/cli/main.ts. */
export function cliArgs(driver: 'bundle' | 'source', options: { bundle: string | undefined; cpuProf: boolean }, workDir: string): string[] {
  const cli = driver === 'bundle' ? options.bundle : cliMain;
  if (cli === undefined) throw new Error('kreroute driver "bundle" without a built bundle');
  return [...nodeFlags(options.cpuProf, workDir), cli];
}

/** `node …` with the repository's paths relative, for the results. */
export function describeCommand(args: string[]): string {
  return ['node', ...args.map((a) => (path.isAbsolute(a) ? path.relative(repoRoot, a) : a))].join(' ');
}
