import { Command } from 'commander';
import type { StageOutcome } from '../../reroute/reroute.ts';
import { resolveClusters, schemaRegistriesOfProperties } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { type CopyFlags, addCopyOptions, copyTuningFromFlags } from '../options/copy-options.ts';
import { type PlanFlags, addPlanOptions, planFileFromFlags, planRequestFromFlags, schemaRegistriesOf } from '../options/plan-options.ts';
import { renderCopy } from '../render/render-copy.ts';
import { renderPlan } from '../render/render-plan.ts';
import { renderPurge } from '../render/render-purge.ts';
import { renderVerify } from '../render/render-verify.ts';
import { parseWorkers } from '../options/options.ts';
import { workersCopy } from '../workers/workers-copy.ts';
import { type MetricsFlags, addMetricsOptions, startMetrics, withMetrics } from '../options/metrics-options.ts';

interface Flags extends PlanFlags, CopyFlags, MetricsFlags {
  purge?: boolean;
  stateDir?: string;
}

export function rerouteCommand(ctx: CliContext): Command {
  const command = new Command('reroute')
    .summary('plan → copy → verify (→ purge) as one resumable job')
    .description(
      'Run every step for one tenant. Finished stages are recorded in <state-dir>/job.json: run the same command again after ' +
        'a failure or Ctrl-C and it continues where it stopped. An existing --out plan file is reused, not planned again. ' +
        'Purge (with --purge) runs only after verify passed.',
    );
  addPlanOptions(command);
  addMetricsOptions(addCopyOptions(command))
    .option('--purge', 'delete the copied range from the source after verify passed')
    .option('--state-dir <dir>', 'job and checkpoint folder (default: <out>.state beside the plan file)')
    .addHelpText(
      'after',
      '\nExample:\n  kreroute reroute --source old:9092 --destination new:9092 --topic orders --key-prefix tenant-b: --out tenant-b.plan.json --purge',
    )
    .action(async (flags: Flags) => {
      const planFile = planFileFromFlags(flags);
      const request = planRequestFromFlags(flags);
      const tuning = copyTuningFromFlags(flags);
      const workers = flags.workers === undefined ? undefined : parseWorkers(flags.workers);
      const clusters = await resolveClusters(ctx, flags);
      const schemaRegistries = schemaRegistriesOf(flags, await schemaRegistriesOfProperties(ctx, flags));
      if (schemaRegistries) request.schemaRegistries = schemaRegistries;
      const { reroute } = await import('../../reroute/reroute.ts');
      const metrics = await startMetrics(ctx, flags, { command: 'reroute', planFile });
      ctx.interrupts.graceful = true;
      await withMetrics(metrics, () =>
        reroute({
          planFile,
          plan: { ...request, ...clusters },
          copy: tuning,
          ...(workers !== undefined ? { copyWith: workersCopy(planFile, workers, flags, metrics?.onWorkerMetrics) } : {}),
          purge: flags.purge === true,
          ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
          onEvent: ctx.out.events,
          ...(metrics ? { metrics: metrics.sink } : {}),
          signal: ctx.interrupts.signal,
          onStage: (outcome) => ctx.out.result('reroute-stage', { planFile, ...outcome }, () => renderOutcome(outcome, planFile)),
        }),
      );
    });
  return command;
}

export function renderOutcome(outcome: StageOutcome, planFile: string): string[] {
  switch (outcome.status) {
    case 'skipped':
      return [`${outcome.stage}: already finished at ${outcome.finishedAt} (recorded in the job file); skipped.`];
    case 'not-requested':
      return ['purge: not requested; the records stay on the source (add --purge, or run kreroute purge later).'];
    case 'reused':
      return [`plan: reusing ${planFile} as it is (not planned again).`, ...renderPlan(outcome.plan, planFile).slice(1)];
    case 'done':
      switch (outcome.stage) {
        case 'plan':
          return ['plan:', ...renderPlan(outcome.plan, planFile)];
        case 'copy':
          return ['copy:', ...renderCopy(outcome.summary, planFile).filter((l) => !l.startsWith('Next:'))];
        case 'verify':
          return ['verify:', ...renderVerify(outcome.report, planFile).filter((l) => !l.startsWith('Next:') && !l.startsWith('Purge would be refused'))];
        case 'purge':
          return ['purge:', ...renderPurge(outcome.report)];
      }
  }
}
