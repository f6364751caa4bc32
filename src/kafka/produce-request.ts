import { Writer, createAPI, produceV9 } from '@platformatic/kafka';

type ProduceResponse = produceV9.ProduceResponse;

export interface RawPartitionBatch {
  partition: number;
  batch: Buffer;
}

/**
 * Produce v9 carrying batches we encoded ourselves (the library's request writer builds its own
 * batches from message objects). The response parser is the library's.
 */
function createRequest(transactionalId: string | null, acks: number, timeoutMs: number, topic: string, partitions: RawPartitionBatch[]): Writer {
  return Writer.create()
    .appendString(transactionalId)
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray([topic], (w, name) => {
      w.appendString(name).appendArray(partitions, (w, { partition, batch }) => {
        w.appendInt32(partition).appendUnsignedVarInt(batch.length + 1).append(batch);
      });
    })
    .appendTaggedFields();
}

export const rawProduceV9 = createAPI<[string | null, number, number, string, RawPartitionBatch[]], ProduceResponse>(
  0,
  9,
  createRequest,
  produceV9.parseResponse,
);
