import { Writer, createAPI, produceV9 } from '@platformatic/kafka';

type ProduceResponse = produceV9.ProduceResponse;

export interface RawPartitionBatch {
  partition: number;
  batch: Buffer;
}

export interface RawTopicBatches {
  topic: string;
  partitions: RawPartitionBatch[];
}

/**
 * Produce v9 carrying batches we built or forward (the library's request writer builds its own
 * batches from message objects). One batch per partition, as brokers require. The response parser
 * is the library's; it throws a ResponseError when any partition failed, with the response attached.
 */
function createRequest(transactionalId: string | null, acks: number, timeoutMs: number, topics: RawTopicBatches[]): Writer {
  return Writer.create()
    .appendString(transactionalId)
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray(topics, (w, { topic, partitions }) => {
      w.appendString(topic).appendArray(partitions, (w, { partition, batch }) => {
        w.appendInt32(partition).appendUnsignedVarInt(batch.length + 1).append(batch);
      });
    })
    .appendTaggedFields();
}

export const rawProduceV9 = createAPI<[string | null, number, number, RawTopicBatches[]], ProduceResponse>(0, 9, createRequest, produceV9.parseResponse);

export type { ProduceResponse };
