import { Command, Option } from 'commander';
import { defaultStateDir, readPlanFile } from '../../plan/plan-file.ts';
import { type ClusterFlags, addClusterOptions, resolveClusters } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { type CopyFlags, addCopyOptions, copyTuningFromFlags } from '../options/copy-options.ts';
import { renderCopy } from '../render/render-copy.ts';
import { parseShard, parseWorkers } from '../options/options.ts';
import { KrerouteError } from '../../common/errors.ts';
import { workersCopy } from '../workers/workers-copy.ts';
import { type MetricsFlags, addMetricsOptions, startMetrics, withMetrics } from '../options/metrics-options.ts';

interface Flags extends ClusterFlags, CopyFlags, MetricsFlags {
  stateDir?: string;
  shard?: string;
  supervised?: boolean;
}

export function copyCommand(ctx: CliContext): Command {
  const command = new Command('copy')
    .summary("copy a plan's records to the destination (resumable)")
    .description(
      'Copy the records of a plan with an idempotent producer, keeping a checkpoint in the state folder. ' +
        'Run it again after an interruption: it resumes and does not write a record twice.',
    )
    .argument('<plan>', 'plan file written by `kreroute plan`')
    .option('--state-dir <dir>', 'checkpoint folder (default: <plan>.state beside the plan file)')
    .option(
      '--shard <I/N>',
      'copy only shard I (from 0) of N: shards are cut from the plan, balanced by bytes, the same on every machine; run all N, on one machine or many, then verify the whole plan',
    );
  // Set by `--workers` on its workers: their stdin is a pipe from the supervisor.
  command.addOption(new Option('--supervised', 'stop at a clean point when stdin closes (the supervisor is gone)').hideHelp());
  addCopyOptions(command);
  addMetricsOptions(command);
  addClusterOptions(command, true)
    .addHelpText('after', '\nExample:\n  kreroute copy tenant-b.plan.json --max-rate 20k --source-config source.properties --dest-config dest.properties')
    .action(async (planFile: string, flags: Flags) => {
      const tuning = copyTuningFromFlags(flags);
      const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
      const workers = flags.workers === undefined ? undefined : parseWorkers(flags.workers);
      if (shard && workers !== undefined) {
        throw new KrerouteError('BAD_INPUT', '--workers and --shard cannot be given together', {
          hint: 'give --workers to copy every shard on this machine, or --shard I/N to copy one',
        });
      }
      if (flags.supervised) stopWhenSupervisorGone();
      const plan = await readPlanFile(planFile);
      // Checked here too, so that a wrong address or properties file is reported once, not by every worker.
      const clusters = await resolveClusters(ctx, flags, plan);
      const metrics = await startMetrics(ctx, flags, { command: 'copy', planFile, ...(shard ? { shard } : {}) });
      await withMetrics(metrics, async () => {
        const copy =
          workers === undefined ? (await import('../../copy/copy-plan.ts')).copyPlan : workersCopy(planFile, workers, flags, metrics?.onWorkerMetrics);
        ctx.interrupts.graceful = true;
        const summary = await copy(plan, {
          ...clusters,
          ...tuning,
          stateDir: flags.stateDir ?? defaultStateDir(planFile),
          ...(shard ? { shard } : {}),
          onEvent: ctx.out.events,
          ...(metrics ? { metrics: metrics.sink } : {}),
          signal: ctx.interrupts.signal,
        });
        ctx.interrupts.graceful = false;
        // A worker's last metrics go before its result.
        await metrics?.close();
        ctx.out.result('copy', { planFile, summary }, () => renderCopy(summary, planFile));
      });
    });
  return command;
}

/** A worker whose supervisor died (even by kill -9) must not copy on unwatched: it stops as on SIGTERM, saving its checkpoint. */
function stopWhenSupervisorGone(): void {
  process.stdin.on('data', () => undefined).once('end', () => process.kill(process.pid, 'SIGTERM'));
}
