import type { ProducerCluster } from '../../src/kafka/produce/pipelined-producer.ts';
import { encodeRecordBatch } from '../../src/kafka/wire/batch/record-batch-encoder.ts';
import type { ScriptedBroker } from './scripted-broker.ts';

/** The cluster side a producer sees, with its partition leaders on scripted brokers. */
export interface ScriptedCluster extends ProducerCluster {
  /** Every leader look-up: whether it asked for fresh metadata. */
  readonly lookups: boolean[];
}

export function scriptedCluster(leader: () => ScriptedBroker, requestTimeoutMs = 30_000): ScriptedCluster {
  const lookups: boolean[] = [];
  return {
    label: 'scripted destination',
    settings: { bootstrap: ['127.0.0.1:0'], requestTimeoutMs },
    sasl: undefined,
    lookups,
    onClose: () => undefined,
    leaderOf: async (_topic: string, _partition: number, refresh = false) => {
      lookups.push(refresh);
      return { nodeId: 1, host: '127.0.0.1', port: leader().port, leaderEpoch: 0 };
    },
  };
}

/** A one-record batch whose value names it (the scripted broker reports it back). */
export function batchOf(value: string): Buffer {
  return encodeRecordBatch([{ timestamp: 0n, key: null, value: Buffer.from(value), headers: [] }], {
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    transactional: false,
  });
}
