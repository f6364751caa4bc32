import type { Command } from 'commander';
import type { CopyOptions } from '../../copy/copy-plan.ts';
import { KrerouteError } from '../../common/errors.ts';
import { CODECS, type Codec } from '../../kafka/wire/batch/batch-compression.ts';
import { parseBytes, parseRate, parseTopicName } from './options.ts';
import { ACCEPT_DESTINATION_LOSS, ACCEPT_DESTINATION_LOSS_HELP, KEEP_MARGIN_HOURS, KEEP_MARGIN_HOURS_HELP, keepFromFlags } from './plan-options.ts';

export interface CopyFlags {
  maxRate?: string;
  acceptOverlap?: boolean;
  mode?: string;
  checkpointTopic?: string;
  /** commander's `--no-passthrough` sets this to false. */
  passthrough?: boolean;
  memoryBudget?: string;
  compression?: string;
  acceptDestinationLoss?: boolean;
  keepMarginHours?: string;
  /** `--workers` alone is true. */
  workers?: string | true;
}

export type CopyTuning = Pick<
  CopyOptions,
  | 'maxRatePerSec'
  | 'acceptOverlap'
  | 'mode'
  | 'checkpointTopic'
  | 'passthrough'
  | 'memoryBudgetBytes'
  | 'acceptDestinationLoss'
  | 'keepMarginMs'
  | 'compression'
>;

const MODES = ['auto', 'exactly-once', 'at-least-once'] as const;

export function addCopyOptions(command: Command): Command {
  // reroute has them from the plan options already.
  if (!command.options.some((o) => o.long === '--accept-destination-loss'))
    command.option(ACCEPT_DESTINATION_LOSS, ACCEPT_DESTINATION_LOSS_HELP).option(KEEP_MARGIN_HOURS, KEEP_MARGIN_HOURS_HELP);
  return command
    .option(
      '--max-rate <n>',
      'records per second at most (e.g. 5000 or 5k); default: as fast as the brokers allow; with --workers, for the whole job (each worker gets an even share)',
    )
    .option('--accept-overlap', 'copy although the destination already has newer records in the target partitions')
    .option(
      '--mode <mode>',
      'auto (default): exactly-once where the destination allows transactions, else at-least-once; exactly-once: transactions with the checkpoint on the destination; at-least-once: idempotent producer and a local checkpoint',
    )
    .option('--checkpoint-topic <name>', 'compacted destination topic for exactly-once checkpoints (default kreroute-checkpoints)')
    .option('--no-passthrough', 'decode and re-encode every record instead of forwarding fetched batches as they are')
    .option(
      '--compression <codec>',
      'none, gzip, snappy, lz4 or zstd: the codec of the batches kreroute builds (filtered, joined, re-encoded); default: that of the source batches; a destination topic whose compression.type names a codec wins; batches forwarded as fetched keep theirs',
    )
    .option(
      '--memory-budget <size>',
      'bytes fetched but not yet written, at most (default 32m; 1m at least); with --workers, for the whole job (each worker gets an even share; without it each has the default)',
    )
    .option(
      '--workers [n]',
      'copy with N worker processes on this machine, worker i copying shard i/N; alone or "auto": one per core (os.availableParallelism), at most the shards worth running; a job already begun keeps its layout (its shard count, or whole)',
    );
}

export function copyTuningFromFlags(flags: CopyFlags): CopyTuning {
  const tuning: CopyTuning = {};
  if (flags.maxRate !== undefined) tuning.maxRatePerSec = parseRate(flags.maxRate);
  if (flags.acceptOverlap) tuning.acceptOverlap = true;
  Object.assign(tuning, keepFromFlags(flags));
  if (flags.mode !== undefined) {
    if (!(MODES as readonly string[]).includes(flags.mode)) {
      throw new KrerouteError('BAD_INPUT', `--mode: "${flags.mode}" is not a delivery mode`, { hint: `use ${MODES.join(', ')}` });
    }
    tuning.mode = flags.mode as (typeof MODES)[number];
  }
  if (flags.checkpointTopic !== undefined) tuning.checkpointTopic = parseTopicName(flags.checkpointTopic, '--checkpoint-topic');
  if (flags.passthrough === false) tuning.passthrough = false;
  if (flags.compression !== undefined) {
    if (!(CODECS as readonly string[]).includes(flags.compression)) {
      throw new KrerouteError('BAD_INPUT', `--compression: "${flags.compression}" is not a codec`, { hint: `use ${CODECS.join(', ')}` });
    }
    tuning.compression = flags.compression as Codec;
  }
  if (flags.memoryBudget !== undefined) tuning.memoryBudgetBytes = parseBytes(flags.memoryBudget, '--memory-budget');
  return tuning;
}
