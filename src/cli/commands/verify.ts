import { Command } from 'commander';
import { KrerouteError } from '../../common/errors.ts';
import { defaultStateDir, readPlanFile } from '../../plan/plan-file.ts';
import { type ClusterFlags, addClusterOptions, resolveClusters } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { renderVerify } from '../render/render-verify.ts';
import { ACCEPT_DESTINATION_LOSS, ACCEPT_DESTINATION_LOSS_HELP, KEEP_MARGIN_HOURS, KEEP_MARGIN_HOURS_HELP, keepFromFlags } from '../options/plan-options.ts';
import { parseShard, parseTopicName } from '../options/options.ts';
import { type MetricsFlags, addMetricsOptions, startMetrics, withMetrics } from '../options/metrics-options.ts';

interface Flags extends ClusterFlags, MetricsFlags {
  stateDir?: string;
  shard?: string;
  checkpointTopic?: string;
  acceptDestinationLoss?: boolean;
  keepMarginHours?: string;
}

export function verifyCommand(ctx: CliContext): Command {
  const command = new Command('verify')
    .summary('compare the copied records with the source, record by record')
    .description(
      'Read the planned range on both clusters and compare every record (key, value, headers, timestamp, order). ' +
        'The verdict is stored in the state folder; purge requires a passed verification.',
    )
    .argument('<plan>', 'plan file written by `kreroute plan`')
    .option('--state-dir <dir>', 'state folder (default: <plan>.state beside the plan file)')
    .option('--shard <I/N>', 'verify only shard I (from 0) of N, after the whole copy is done; purge needs the verdicts of all N (kept on the destination)')
    .option('--checkpoint-topic <name>', 'destination topic holding checkpoints and verdicts (default kreroute-checkpoints)')
    .option(ACCEPT_DESTINATION_LOSS, ACCEPT_DESTINATION_LOSS_HELP)
    .option(KEEP_MARGIN_HOURS, KEEP_MARGIN_HOURS_HELP);
  addMetricsOptions(command);
  addClusterOptions(command, true)
    .addHelpText('after', '\nExample:\n  kreroute verify tenant-b.plan.json')
    .action(async (planFile: string, flags: Flags) => {
      const plan = await readPlanFile(planFile);
      const clusters = await resolveClusters(ctx, flags, plan);
      const { verifyPlan } = await import('../../verify/verify-plan.ts');
      const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
      const checkpointTopic = flags.checkpointTopic !== undefined ? parseTopicName(flags.checkpointTopic, '--checkpoint-topic') : undefined;
      const metrics = await startMetrics(ctx, flags, { command: 'verify', planFile, ...(shard ? { shard } : {}) });
      await withMetrics(metrics, async () => {
        const report = await verifyPlan(plan, {
          ...clusters,
          ...keepFromFlags(flags),
          stateDir: flags.stateDir ?? defaultStateDir(planFile),
          ...(shard ? { shard } : {}),
          ...(checkpointTopic !== undefined ? { checkpointTopic } : {}),
          onEvent: ctx.out.events,
          ...(metrics ? { metrics: metrics.sink } : {}),
        });
        ctx.out.result('verify', { planFile, report }, () => renderVerify(report, planFile));
        if (!report.passed) {
          const failed = report.partitions.filter((p) => !p.passed).length;
          throw new KrerouteError('VERIFY_FAILED', `${failed} of ${report.partitions.length} destination partitions differ from the source`, {
            hint: 'see the differences above; do not purge',
          });
        }
      });
    });
  return command;
}
