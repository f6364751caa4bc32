import { Command } from 'commander';
import { KrerouteError } from '../../common/errors.ts';
import type { StageOutcome } from '../../reroute/reroute.ts';
import { resolveClusters, schemaRegistriesOfProperties } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { type CopyFlags, addCopyOptions, copyTuningFromFlags } from '../options/copy-options.ts';
import { type PlanFlags, addPlanOptions, planFileFromFlags, planRequestFromFlags, schemaRegistriesOf } from '../options/plan-options.ts';
import { renderCopy } from '../render/render-copy.ts';
import { renderPlan } from '../render/render-plan.ts';
import { renderOffsets } from '../render/render-offsets.ts';
import { renderPurge } from '../render/render-purge.ts';
import { renderVerify } from '../render/render-verify.ts';
import { parseDuration, parseWorkers } from '../options/options.ts';
import { workersCopy } from '../workers/workers-copy.ts';
import { type MetricsFlags, addMetricsOptions, startMetrics, withMetrics } from '../options/metrics-options.ts';

interface Flags extends PlanFlags, CopyFlags, MetricsFlags {
  purge?: boolean;
  groups?: string;
  stateDir?: string;
  follow?: boolean;
  quietFor?: string;
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
    .option('--groups <G,…>', 'consumer groups whose offsets to translate and commit on the destination after verify passed (see kreroute offsets)')
    .option('--purge', 'delete the copied range from the source after verify passed')
    .option('--state-dir <dir>', 'job and checkpoint folder (default: <out>.state beside the plan file)')
    .option(
      '--follow',
      "then move the tenant's late writes too: plan --after, copy and verify again (tenant-b.plan.2.json, .3.json …) until no matching record arrives for --quiet-for",
    )
    .option('--quiet-for <duration>', 'with --follow: end once no matching record has reached the source for this long (e.g. 30s, 5m; default 5m)')
    .addHelpText(
      'after',
      '\nExample:\n  kreroute reroute --source old:9092 --destination new:9092 --topic orders --key-prefix tenant-b: --out tenant-b.plan.json --purge',
    )
    .action(async (flags: Flags) => {
      const planFile = planFileFromFlags(flags);
      const request = planRequestFromFlags(flags);
      const tuning = copyTuningFromFlags(flags);
      const workers = flags.workers === undefined ? undefined : parseWorkers(flags.workers);
      const quietForMs = quietFromFlags(flags);
      const clusters = await resolveClusters(ctx, flags);
      const schemaRegistries = schemaRegistriesOf(flags, await schemaRegistriesOfProperties(ctx, flags));
      if (schemaRegistries) request.schemaRegistries = schemaRegistries;
      if (quietForMs !== undefined) {
        const { rerouteFollow } = await import('../../reroute/follow.ts');
        const metrics = await startMetrics(ctx, flags, { command: 'reroute', planFile });
        ctx.interrupts.graceful = true;
        await withMetrics(metrics, () =>
          rerouteFollow({
            planFile,
            quietForMs,
            plan: { ...request, ...clusters },
            copy: tuning,
            ...(workers !== undefined ? { copyWith: (file: string) => workersCopy(file, workers, flags, metrics?.onWorkerMetrics) } : {}),
            purge: flags.purge === true,
            ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
            onEvent: ctx.out.events,
            ...(metrics ? { metrics: metrics.sink } : {}),
            signal: ctx.interrupts.signal,
            onStage: (outcome, file) => ctx.out.result('reroute-stage', { planFile: file, ...outcome }, () => renderOutcome(outcome, file)),
          }),
        );
        return;
      }
      const { reroute } = await import('../../reroute/reroute.ts');
      const metrics = await startMetrics(ctx, flags, { command: 'reroute', planFile });
      ctx.interrupts.graceful = true;
      await withMetrics(metrics, () =>
        reroute({
          planFile,
          plan: { ...request, ...clusters },
          copy: tuning,
          ...(workers !== undefined ? { copyWith: workersCopy(planFile, workers, flags, metrics?.onWorkerMetrics) } : {}),
          ...(flags.groups !== undefined ? { groups: parseGroups(flags.groups) } : {}),
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

function parseGroups(value: string): string[] {
  const groups = value.split(',').map((g) => g.trim());
  if (groups.some((g) => g === ''))
    throw new KrerouteError('BAD_INPUT', `--groups ${value}: a group name is empty`, { hint: 'give the names separated by commas: --groups billing,audit' });
  return groups;
}

/** --follow's quiet period, or undefined without --follow; --quiet-for alone is refused. */
function quietFromFlags(flags: Flags): number | undefined {
  if (!flags.follow) {
    if (flags.quietFor !== undefined) {
      throw new KrerouteError('BAD_INPUT', '--quiet-for: only with --follow', { hint: 'add --follow, or drop --quiet-for' });
    }
    return undefined;
  }
  if (flags.groups !== undefined) {
    throw new KrerouteError('BAD_INPUT', '--groups: not with --follow, whose last plan is known only when the tenant has gone quiet', {
      hint: "run kreroute offsets <the plan whose range holds the group's position> --group G --execute once reroute --follow has ended (docs/cutover.md)",
    });
  }
  return parseDuration(flags.quietFor ?? '5m', '--quiet-for');
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
        case 'offsets':
          return ['offsets:', ...renderOffsets(outcome.report, planFile)];
      }
  }
}
