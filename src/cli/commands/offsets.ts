import { Command } from 'commander';
import { defaultStateDir, readPlanFile } from '../../plan/plan-file.ts';
import { type ClusterFlags, addClusterOptions, resolveClusters } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { parseTopicName } from '../options/options.ts';
import { renderOffsets } from '../render/render-offsets.ts';

interface Flags extends ClusterFlags {
  group: string[];
  execute?: boolean;
  allowReplay?: boolean;
  stateDir?: string;
  checkpointTopic?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function offsetsCommand(ctx: CliContext): Command {
  const command = new Command('offsets')
    .summary("translate consumer groups' offsets to the destination (after a passed verify)")
    .description(
      "For each group: its committed offsets on the source for the plan's partitions, and the exact destination offsets of the first copied records it has not consumed, " +
        'beside its offsets on the destination now. A dry run unless --execute, which commits them for a group without active members on the destination.',
    )
    .argument('<plan>', 'plan file written by `kreroute plan`')
    .requiredOption('--group <id>', 'consumer group to translate (repeat for several)', collect)
    .option('--execute', 'commit the translated offsets on the destination (default: show them only)')
    .option('--allow-replay', 'with --execute: also move a group backwards over records it already consumed on the destination')
    .option('--state-dir <dir>', 'state folder (default: <plan>.state beside the plan file)')
    .option('--checkpoint-topic <name>', 'destination topic holding checkpoints and verdicts (default kreroute-checkpoints)');
  addClusterOptions(command, true, ['source', 'destination'])
    .addHelpText('after', '\nExample:\n  kreroute offsets tenant-b.plan.json --group billing --execute')
    .action(async (planFile: string, flags: Flags) => {
      const plan = await readPlanFile(planFile);
      const { source, destination } = await resolveClusters(ctx, flags, plan);
      const { translateOffsets } = await import('../../offsets/translate-offsets.ts');
      const report = await translateOffsets(plan, {
        source,
        destination,
        groups: flags.group,
        execute: flags.execute === true,
        allowReplay: flags.allowReplay === true,
        stateDir: flags.stateDir ?? defaultStateDir(planFile),
        ...(flags.checkpointTopic !== undefined ? { checkpointTopic: parseTopicName(flags.checkpointTopic, '--checkpoint-topic') } : {}),
        onEvent: ctx.out.events,
      });
      ctx.out.result('offsets', { planFile, report }, () => renderOffsets(report, planFile));
    });
  return command;
}
