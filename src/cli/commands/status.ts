import { Command } from 'commander';
import { defaultStateDir, readPlanFile } from '../../plan/plan-file.ts';
import { type ClusterFlags, addClusterOptions, resolveCluster } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { parseTopicName } from '../options/options.ts';
import { renderStatus } from '../render/render-status.ts';

interface Flags extends ClusterFlags {
  stateDir?: string;
  checkpointTopic?: string;
}

export function statusCommand(ctx: CliContext): Command {
  const command = new Command('status')
    .summary("show how far a plan's copy is, per shard and in total")
    .description(
      "Read the checkpoints every copier of the plan keeps on the destination (and this machine's state folder) and show per shard and in total: " +
        'done, copying, stopped or waiting, records, rate and ETA. Works from any machine; writes nothing.',
    )
    .argument('<plan>', 'plan file written by `kreroute plan`')
    .option('--state-dir <dir>', 'state folder (default: <plan>.state beside the plan file)')
    .option('--checkpoint-topic <name>', 'destination topic holding the checkpoints (default kreroute-checkpoints)');
  addClusterOptions(command, true, ['destination'])
    .addHelpText('after', '\nExample:\n  kreroute status tenant-b.plan.json --dest-config dest.properties')
    .action(async (planFile: string, flags: Flags) => {
      const plan = await readPlanFile(planFile);
      const destination = await resolveCluster(ctx, 'destination', flags, plan);
      const { jobStatus } = await import('../../shard/job-status.ts');
      const status = await jobStatus(plan, {
        destination,
        stateDir: flags.stateDir ?? defaultStateDir(planFile),
        ...(flags.checkpointTopic !== undefined ? { checkpointTopic: parseTopicName(flags.checkpointTopic, '--checkpoint-topic') } : {}),
      });
      ctx.out.result('status', { planFile, status }, () => renderStatus(status, planFile));
    });
  return command;
}
