import { type Reader, createAPI, fetchV12, readKnownTaggedFields } from '@platformatic/kafka';

export interface RawFetchPartition {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }> | null;
  /** The partition's record batches exactly as the broker sent them. */
  records: Buffer;
}

export interface RawFetchResponse {
  /** How long the broker holds back our next request (KIP-219). */
  throttleTimeMs: number;
  errorCode: number;
  topics: Array<{ topic: string; partitions: RawFetchPartition[] }>;
  /**
   * Gives the response's buffer back for reuse. Call it only once nothing refers to any part of
   * `records` any more (every batch forwarded from it acknowledged); never calling it is safe.
   */
  release: () => void;
}

const NO_RELEASE = (): void => undefined;

const EMPTY = Buffer.alloc(0);

/**
 * Fetch v12 whose response keeps each partition's records as bytes. The library's own parser
 * decodes (and decompresses) every batch; passthrough forwards batches, so it must not.
 * Partition errors are returned, not thrown: the caller decides per partition.
 */
function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): RawFetchResponse {
  return parseRawFetchV12(reader);
}

/**
 * Partition records are views of the response's bytes when it came as one buffer (a bare
 * connection's), and copied out of the library connection's chunks otherwise.
 */
export function parseRawFetchV12(reader: Reader): RawFetchResponse {
  const throttleTimeMs = reader.readInt32();
  const errorCode = reader.readInt16();
  reader.readInt32(); // session_id
  const topics = reader.readArray((r) => ({
    topic: r.readString(),
    partitions: r.readArray(
      (r) => {
        const partition: RawFetchPartition = {
          partition: r.readInt32(),
          errorCode: r.readInt16(),
          highWatermark: r.readInt64(),
          lastStableOffset: r.readInt64(),
          logStartOffset: r.readInt64(),
          abortedTransactions: r.readNullableArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() })),
          records: EMPTY,
        };
        r.readInt32(); // preferred_read_replica
        const size = r.readUnsignedVarInt() - 1;
        if (size > 0) {
          partition.records = r.buffer.slice(r.position, r.position + size);
          r.skip(size);
        }
        readKnownTaggedFields(r, {});
        return partition;
      },
      true,
      false,
    ),
  }));
  readKnownTaggedFields(reader, {});
  return { throttleTimeMs, errorCode, topics, release: NO_RELEASE };
}

export type RawFetchArgs = Parameters<typeof fetchV12.createRequest>;

export const FETCH_API_KEY = 1;
export const FETCH_API_VERSION = 12;

/** Through the client library's connection. */
export const rawFetchV12 = createAPI<RawFetchArgs, RawFetchResponse>(FETCH_API_KEY, FETCH_API_VERSION, fetchV12.createRequest, parseResponse);

/** The request body for a bare connection, written by the library's request writer. */
export function fetchV12Body(...args: RawFetchArgs): Buffer[] {
  return fetchV12.createRequest(...args).buffers;
}
