import { Reader, produceV9 } from '@platformatic/kafka';

// Produce v9 carrying batches we built or forward (the library's request writer builds its own
// batches from message objects). One batch per partition, as brokers require. The response parser
// is the library's; it throws a ResponseError when any partition failed, with the response attached.

type ProduceResponse = produceV9.ProduceResponse;

export interface RawPartitionBatch {
  partition: number;
  batch: Buffer;
}

export interface RawTopicBatches {
  topic: string;
  partitions: RawPartitionBatch[];
}

export const PRODUCE_API_KEY = 0;
export const PRODUCE_API_VERSION = 9;

/** Appends protocol fields to small scratch buffers between the batches, which stay as they are. */
class Pieces {
  readonly list: Buffer[] = [];
  #bytes: number[] = [];

  u8(value: number): this {
    this.#bytes.push(value & 0xff);
    return this;
  }

  int16(value: number): this {
    return this.u8(value >> 8).u8(value);
  }

  int32(value: number): this {
    return this.u8(value >>> 24)
      .u8(value >>> 16)
      .u8(value >>> 8)
      .u8(value);
  }

  uvarint(value: number): this {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.u8((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    return this.u8(v);
  }

  /** COMPACT_NULLABLE_STRING */
  string(value: string | null): this {
    if (value === null) return this.uvarint(0);
    const bytes = Buffer.from(value);
    this.uvarint(bytes.length + 1);
    for (const b of bytes) this.u8(b);
    return this;
  }

  buffer(value: Buffer): this {
    this.#flush();
    this.list.push(value);
    return this;
  }

  done(): Buffer[] {
    this.#flush();
    return this.list;
  }

  #flush(): void {
    if (this.#bytes.length > 0) this.list.push(Buffer.from(this.#bytes));
    this.#bytes = [];
  }
}

/** The body of the same request as buffers to write one after the other: each batch is one of them, uncopied. */
export function produceV9Body(transactionalId: string | null, acks: number, timeoutMs: number, topics: RawTopicBatches[]): Buffer[] {
  const pieces = new Pieces()
    .string(transactionalId)
    .int16(acks)
    .int32(timeoutMs)
    .uvarint(topics.length + 1);
  for (const { topic, partitions } of topics) {
    pieces.string(topic).uvarint(partitions.length + 1);
    for (const { partition, batch } of partitions)
      pieces
        .int32(partition)
        .uvarint(batch.length + 1)
        .buffer(batch)
        .uvarint(0);
    pieces.uvarint(0);
  }
  return pieces.uvarint(0).done();
}

export function parseProduceV9(reader: Reader): ProduceResponse {
  return produceV9.parseResponse(0, PRODUCE_API_KEY, PRODUCE_API_VERSION, reader);
}

export type { ProduceResponse };
