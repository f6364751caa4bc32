import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { KrerouteError } from '../../common/errors.ts';
import { defaultStateDir, readPlanFile, writePlanFile } from '../../plan/plan-file.ts';
import { followUpRequestFromFlags } from '../options/after-options.ts';
import { resolveClusters, schemaRegistriesOfProperties } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { type PlanFlags, addPlanOptions, planFileFromFlags, planRequestFromFlags, schemaRegistriesOf } from '../options/plan-options.ts';
import { renderPlan } from '../render/render-plan.ts';
import { type MetricsFlags, addMetricsOptions, startMetrics, withMetrics } from '../options/metrics-options.ts';
import { type MetricsSink, countingRetries } from '../../common/metrics-sink.ts';
import { expectations } from '../../plan/expected.ts';
import type { Plan } from '../../plan/plan.ts';

interface Flags extends PlanFlags, MetricsFlags {
  force?: boolean;
  after?: string;
}

export function planCommand(ctx: CliContext): Command {
  const command = new Command('plan')
    .summary('decide what to move and write it to a plan file')
    .description(
      'Look at the source range and the destination, and write a sealed plan file: per topic and partition the offset range, ' +
        'the destination partition, counts, estimates and checks. Nothing is copied.',
    );
  addMetricsOptions(addPlanOptions(command))
    .option('--force', 'replace an existing plan file')
    .option('--after <plan>', 'a follow-up plan: the same topics, filter, mapping and destination as this plan, from its end to now (late writes)')
    .addHelpText(
      'after',
      '\nExamples:\n  kreroute plan --source old:9092 --destination new:9092 --topic orders --header tenant=tenant-b --exact --out tenant-b.plan.json' +
        '\n  kreroute plan --after tenant-b.plan.json --out tenant-b.plan.2.json',
    )
    .action(async (flags: Flags) => {
      const planFile = planFileFromFlags(flags);
      const previous = flags.after === undefined ? undefined : await readPlanFile(flags.after);
      const request = previous ? followUpRequestFromFlags(command, flags, previous, flags.after!) : planRequestFromFlags(flags);
      if (existsSync(planFile) && !flags.force) {
        throw new KrerouteError('BAD_INPUT', `plan file ${planFile} already exists`, { hint: 'give another --out, or --force to replace it' });
      }
      const clusters = await resolveClusters(ctx, flags, previous);
      const schemaRegistries = schemaRegistriesOf(flags, await schemaRegistriesOfProperties(ctx, flags, previous));
      if (schemaRegistries) request.schemaRegistries = schemaRegistries;
      const { createPlan } = await import('../../plan/create-plan.ts');
      const metrics = await startMetrics(ctx, flags, { command: 'plan', planFile });
      await withMetrics(metrics, async () => {
        metrics?.sink.stage('plan');
        const onEvent = metrics ? countingRetries(ctx.out.events, metrics.sink) : ctx.out.events;
        const plan = await createPlan({ ...request, ...clusters, onEvent });
        await writePlanFile(planFile, plan);
        if (metrics) announcePlan(plan, metrics.sink);
        if (flags.force && existsSync(defaultStateDir(planFile))) {
          ctx.out.warn(
            'STATE_DIR_OF_REPLACED_PLAN',
            `the state folder ${defaultStateDir(planFile)} belongs to the replaced plan; remove it before copying this one`,
          );
        }
        ctx.out.result('plan', { planFile, plan }, () => renderPlan(plan, planFile));
      });
    });
  return command;
}

/** What the plan expects the copy to go through: a plan's metrics show the size of the job before it starts. */
function announcePlan(plan: Plan, metrics: MetricsSink): void {
  const expected = expectations(plan);
  for (const topic of plan.topics)
    for (const p of topic.partitions) metrics.planned('copy', topic.source, p.partition, { ...expected(p), endOffset: Number(p.end) }, 0);
}
