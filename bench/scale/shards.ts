import { type CliCommand, type CliExit, type CliLine, CliProcess, commandText } from './worker.ts';

/** One shard's worker: every process it took (two when it was killed and restarted). */
export interface ShardOutcome {
  shard: number;
  ns: string | undefined;
  command: string;
  exits: CliExit[];
  /** Seconds from the run's start to this shard's last exit. */
  finishedAtS: number;
  /** Records and bytes each process reported copying (its `result` line). */
  records: number;
  bytes: number;
  cpuSeconds: number;
  /** Whether the last process said it resumed from a checkpoint. */
  resumed: boolean;
  ok: boolean;
}

export interface KillRecord {
  shard: number;
  /** Seconds after the shard's "starting the copy" line, and after the run's start. */
  afterStartLineS: number;
  atS: number;
  /** Records the shard's last progress line before the kill said it had copied. */
  recordsReportedBeforeKill: number;
  restartLine: string | undefined;
}

export interface ShardsResult {
  wallSeconds: number;
  shards: ShardOutcome[];
  kill: KillRecord | undefined;
  timedOut: boolean;
}

export interface ShardsInput {
  /** The command of each shard's worker, in shard order. */
  commands: CliCommand[];
  /**
   * Kill (SIGKILL) this shard's worker `killAfterS` after its "starting the copy" line (or, if it
   * has reported no records moved by then, at its first progress line that does), then run the same command again.
   */
  killShard: number | undefined;
  killAfterS: number;
  timeoutMs: number;
}

const summaryOf = (exit: CliExit) => (exit.result?.summary ?? {}) as { records?: number; bytes?: number; resumed?: boolean };

/** Starts every shard's worker at once and waits for the last to finish; wall time is from the first start to the last exit. */
export async function runShards(input: ShardsInput): Promise<ShardsResult> {
  const started = performance.now();
  const since = () => (performance.now() - started) / 1000;
  const live = new Set<CliProcess>();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const cli of live) cli.kill();
  }, input.timeoutMs);
  let kill: KillRecord | undefined;

  const runShard = async (shard: number, command: CliCommand): Promise<ShardOutcome> => {
    const exits: CliExit[] = [];
    let restartLine: string | undefined;
    const victim = input.killShard === shard;
    // The first process, perhaps killed; then, if it was, the same command again.
    for (let attempt = 0; attempt < 2 && !timedOut; attempt++) {
      let lastRecords = 0;
      let killTimer: NodeJS.Timeout | undefined;
      let lineAt = 0;
      // Armed `killAfterS` after the "starting the copy" line; fires then, or at the first progress
      // line after it that shows records moved, so the kill always lands in the middle of the data.
      let armed = false;
      const killNow = () => {
        armed = false;
        kill = { shard, afterStartLineS: since() - lineAt, atS: since(), recordsReportedBeforeKill: lastRecords, restartLine: undefined };
        cli.kill();
      };
      const onLine = (line: CliLine) => {
        if (line.type === 'progress' && typeof line.records === 'number') {
          lastRecords = line.records;
          if (armed && lastRecords > 0) killNow();
        }
        if (line.type !== 'stage' || line.stage !== 'copy') return;
        if (attempt === 1) restartLine = line.message;
        if (attempt === 0 && victim && line.message?.startsWith('starting')) {
          lineAt = since();
          killTimer = setTimeout(() => (lastRecords > 0 ? killNow() : (armed = true)), input.killAfterS * 1000);
        }
      };
      const cli = new CliProcess(command, onLine);
      live.add(cli);
      const exit = await cli.exited;
      clearTimeout(killTimer);
      live.delete(cli);
      exits.push(exit);
      if (!(victim && attempt === 0 && kill !== undefined && exit.signal === 'SIGKILL')) break;
    }
    if (kill && kill.shard === shard) kill.restartLine = restartLine;
    const last = exits.at(-1)!;
    return {
      shard,
      ns: command.ns,
      command: commandText(command),
      exits,
      finishedAtS: since(),
      records: exits.reduce((sum, e) => sum + (summaryOf(e).records ?? 0), 0),
      bytes: exits.reduce((sum, e) => sum + (summaryOf(e).bytes ?? 0), 0),
      cpuSeconds: exits.reduce((sum, e) => sum + e.cpuSeconds, 0),
      resumed: summaryOf(last).resumed === true,
      ok: last.code === 0,
    };
  };

  try {
    const shards = await Promise.all(input.commands.map((command, shard) => runShard(shard, command)));
    return { wallSeconds: since(), shards, kill, timedOut };
  } finally {
    clearTimeout(timer);
  }
}
