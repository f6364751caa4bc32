import type { KafkaCluster } from '../client/cluster.ts';
import { type ProduceAck, type PipelineOptions, PipelinedProducer } from './pipelined-producer.ts';
import { type ProducerIdentity, initProducerId } from '../client/producer-id.ts';
import type { RecordContent } from '../wire/record.ts';
import { encodeRecordBatch } from '../wire/batch/record-batch-encoder.ts';

export type { ProduceAck, ProducerIdentity };

/** An idempotent producer of records: each send becomes one batch, pipelined per partition. */
export class IdempotentProducer {
  readonly #pipeline: PipelinedProducer;

  private constructor(pipeline: PipelinedProducer) {
    this.#pipeline = pipeline;
  }

  static async create(cluster: KafkaCluster, options: Partial<PipelineOptions> = {}): Promise<IdempotentProducer> {
    return new IdempotentProducer(new PipelinedProducer(cluster, await initProducerId(cluster), options));
  }

  get identity(): ProducerIdentity {
    return this.#pipeline.identity;
  }

  get pipeline(): PipelinedProducer {
    return this.#pipeline;
  }

  /** Closes its connections; call it when done sending. */
  close(): void {
    this.#pipeline.close();
  }

  send(topic: string, partition: number, records: RecordContent[]): Promise<ProduceAck> {
    const batch = encodeRecordBatch(records, { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false });
    return this.#pipeline.send(topic, partition, batch, records.length);
  }
}
