import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, tail, waitFor } from './processes.ts';
import { type Job, expectExit, startCopy } from './scenario.ts';

/** The line a copy prints once it has its checkpoint and starts moving data. */
export const MOVING = /copy: (starting|resuming) the copy/;

export interface KillLoopOptions {
  kills: number;
  /** Kill this long after the run's "starting/resuming the copy" line, ms: [min, max). */
  delayMs: [number, number];
  random: () => number;
  /** Extra `copy` arguments; a function gets the run's number (1.., the final run: kills + 1). */
  extraArgs?: string[] | ((run: number) => string[]);
  env?: NodeJS.ProcessEnv;
  /** Whole-loop bound. */
  deadline: number;
}

export interface KillLoopResult {
  kills: number;
  delays: number[];
  /** Runs that finished before their kill came (the copy was done). */
  finishedEarly: number;
  finalSeconds: number;
}

/**
 * kill -9 of the copier at random instants, each timed from its "starting/resuming" line (so the
 * kill lands while data moves, not while Node starts), then one run to the end, which must exit 0.
 */
export async function killLoop(job: Job, options: KillLoopOptions): Promise<KillLoopResult> {
  const argsOf = (run: number): string[] => (typeof options.extraArgs === 'function' ? options.extraArgs(run) : (options.extraArgs ?? []));
  const delays: number[] = [];
  let kills = 0;
  let finishedEarly = 0;
  for (let i = 1; i <= options.kills; i++) {
    assert.ok(Date.now() < options.deadline, `scenario bound passed after ${kills} kills`);
    const run = startCopy(job, argsOf(i), options.env);
    await waitFor(`run ${i} to start moving data`, 120_000, () => (MOVING.test(run.stderr()) || run.exit() !== null ? true : undefined), 20);
    if (run.exit() === null) {
      const [min, max] = options.delayMs;
      const delay = min + Math.floor(options.random() * (max - min));
      delays.push(delay);
      await sleep(delay);
    }
    if (run.exit() === null) {
      run.kill('SIGKILL');
      kills++;
    }
    const exit = await run.waitExit(60_000, `run ${i}`);
    if (exit.signal === 'SIGKILL') continue;
    if (exit.code !== 0) assert.fail(`run ${i} failed (${describeExit(exit)}):\n${tail(run.stderr())}`);
    finishedEarly++;
    break;
  }
  const started = Date.now();
  const final = startCopy(job, argsOf(options.kills + 1), options.env);
  expectExit(final, await final.waitExit(Math.max(120_000, options.deadline - Date.now()), 'the final copy'), 0, 'the final copy');
  return { kills, delays, finishedEarly, finalSeconds: (Date.now() - started) / 1000 };
}
