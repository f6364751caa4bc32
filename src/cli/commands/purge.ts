import { Command } from 'commander';
import { defaultStateDir, readPlanFile } from '../../plan/plan-file.ts';
import { type ClusterFlags, addClusterOptions, resolveClusters } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { renderPurge } from '../render/render-purge.ts';
import { KEEP_MARGIN_HOURS, keepFromFlags } from '../options/plan-options.ts';
import { parseTopicName } from '../options/options.ts';
import { KrerouteError } from '../../common/errors.ts';

interface Flags extends ClusterFlags {
  stateDir?: string;
  dryRun?: boolean;
  execute?: boolean;
  checkpointTopic?: string;
  keepMarginHours?: string;
}

export function purgeCommand(ctx: CliContext): Command {
  const command = new Command('purge')
    .summary('delete the copied range from the source (after a passed verify)')
    .description(
      "Delete the plan's records from the source with DeleteRecords (moves each partition's log start offset). " +
        'Refused unless verify passed for this plan, the destination still holds what verify saw, and no other tenant has records in the deleted range.',
    )
    .argument('<plan>', 'plan file written by `kreroute plan`')
    .option('--execute', "delete the records (without it, purge only shows what it would delete, as Kafka's own tools do)")
    .option('--dry-run', 'show what would be deleted, delete nothing (the default without --execute)')
    .option('--state-dir <dir>', 'state folder (default: <plan>.state beside the plan file)')
    .option('--checkpoint-topic <name>', 'destination topic holding checkpoints and verdicts (default kreroute-checkpoints)')
    .option(
      KEEP_MARGIN_HOURS,
      'how long copied records must stay on the destination from now, checked against its retention (default 24); no flag lets purge accept a loss',
    );
  addClusterOptions(command, true, ['source', 'destination'])
    .addHelpText(
      'after',
      '\nExamples:\n  kreroute purge tenant-b.plan.json            # checks everything, deletes nothing\n  kreroute purge tenant-b.plan.json --execute  # deletes',
    )
    .action(async (planFile: string, flags: Flags) => {
      if (flags.execute && flags.dryRun) throw new KrerouteError('BAD_INPUT', '--execute and --dry-run contradict each other', { hint: 'give one of them' });
      const plan = await readPlanFile(planFile);
      const { source, destination } = await resolveClusters(ctx, flags, plan);
      const { purgePlan } = await import('../../purge/purge-plan.ts');
      const report = await purgePlan(plan, {
        source,
        destination,
        stateDir: flags.stateDir ?? defaultStateDir(planFile),
        ...(flags.checkpointTopic !== undefined ? { checkpointTopic: parseTopicName(flags.checkpointTopic, '--checkpoint-topic') } : {}),
        ...keepFromFlags(flags),
        dryRun: flags.execute !== true,
        onEvent: ctx.out.events,
      });
      ctx.out.result('purge', { planFile, report }, () => renderPurge(report));
    });
  return command;
}
