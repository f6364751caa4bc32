import { Command } from 'commander';
import { defaultStateDir, readPlanFile } from '../../plan/plan-file.ts';
import { type ClusterFlags, addClusterOptions, resolveCluster } from '../options/cluster-options.ts';
import type { CliContext } from '../context.ts';
import { parseTopicName } from '../options/options.ts';
import { describeLateWrites, renderStatus } from '../render/render-status.ts';
import type { LateWrites } from '../../plan/late-writes.ts';
import type { Plan } from '../../plan/plan.ts';

interface Flags extends ClusterFlags {
  stateDir?: string;
  checkpointTopic?: string;
  lateWrites: boolean;
}

export function statusCommand(ctx: CliContext): Command {
  const command = new Command('status')
    .summary("show how far a plan's copy is, per shard and in total, and the tenant's late writes")
    .description(
      "Read the checkpoints every copier of the plan keeps on the destination (and this machine's state folder) and show per shard and in total: " +
        "done, copying, stopped or waiting, records, rate and ETA. Then read what reached the source after the plan's end (at most " +
        "100,000 offsets of each partition) and count the records matching the plan's filter: late writes, the tenant still writing to the wrong cluster. " +
        'Works from any machine; writes nothing.',
    )
    .argument('<plan>', 'plan file written by `kreroute plan`')
    .option('--state-dir <dir>', 'state folder (default: <plan>.state beside the plan file)')
    .option('--checkpoint-topic <name>', 'destination topic holding the checkpoints (default kreroute-checkpoints)')
    .option('--source <bootstrap>', 'source cluster bootstrap brokers, for the late writes (default: the address in the plan)')
    .option('--source-config <file>', 'Kafka client .properties file for the source, for the late writes')
    .option('--no-late-writes', 'do not read the source for records that arrived after the plan (only the destination is read)');
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
      const lateWrites = flags.lateWrites ? await countLate(ctx, plan, flags) : null;
      if (lateWrites && lateWrites.records > 0) ctx.out.warn('LATE_WRITES', describeLateWrites(lateWrites, planFile));
      ctx.out.result('status', { planFile, status, lateWrites }, () => renderStatus(status, planFile, lateWrites));
    });
  return command;
}

const SOURCE_WAIT_MS = 15_000;

/** The late writes, or null with a line on stderr when the source cannot be read: the copy's status still shows. */
async function countLate(ctx: CliContext, plan: Plan, flags: Flags): Promise<LateWrites | null> {
  // -b names the destination here; the source comes from --source or the plan.
  const { bootstrapServer: _destination, ...sourceFlags } = flags;
  const resolved = await resolveCluster(ctx, 'source', sourceFlags, plan);
  // The copy's status must not wait minutes for a source it does not need: a short wait unless --wait-timeout says otherwise.
  const source = flags.waitTimeout === undefined ? { ...resolved, waitTimeoutMs: SOURCE_WAIT_MS } : resolved;
  const { lateWritesOf } = await import('../../plan/late-writes.ts');
  try {
    return await lateWritesOf(plan, source);
  } catch (error) {
    ctx.out.event({
      type: 'info',
      message: `late writes not counted: the source could not be read (${error instanceof Error ? error.message : String(error)})`,
    });
    return null;
  }
}
