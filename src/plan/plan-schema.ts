import { z } from 'zod';

const decimal = z.string().regex(/^-?\d+$/, 'a decimal integer string');

const filterSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key-prefix'), prefix: z.string() }),
  z.object({ kind: z.literal('key-regex'), pattern: z.string() }),
  z.object({ kind: z.literal('header'), name: z.string(), value: z.string() }),
  z.object({ kind: z.literal('json-field'), path: z.string(), value: z.string() }),
]);

const exactSchema = z.object({
  records: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  largestRecordBytes: z.number().int().nonnegative(),
  otherRecords: z.number().int().nonnegative(),
  minTimestamp: decimal.nullable(),
  maxTimestamp: decimal.nullable(),
  keylessRecords: z.number().int().nonnegative().optional(),
});

const anchorSchema = z.strictObject({ offset: decimal, digest: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 digest in hex') });
const anchorsSchema = z.strictObject({ first: anchorSchema, last: anchorSchema });

export const planSchema = z.strictObject({
  format: z.literal('kreroute-plan'),
  version: z.literal(1),
  createdAt: z.string(),
  source: z.strictObject({ clusterId: z.string(), bootstrap: z.string() }),
  destination: z.strictObject({ clusterId: z.string(), bootstrap: z.string() }),
  range: z.strictObject({ from: z.string(), to: z.string() }),
  filter: filterSchema.nullable(),
  mapping: z.enum(['same', 'key-hash']),
  topics: z.array(
    z.strictObject({
      source: z.string().min(1),
      destination: z.string().min(1),
      sourcePartitions: z.number().int().positive(),
      destinationPartitions: z.number().int().positive(),
      sourceTopicId: z.string().min(1).optional(),
      destinationTopicId: z.string().min(1).optional(),
      destinationMaxMessageBytes: z.number().int().positive(),
      destinationStarts: z.array(decimal).optional(),
      destinationTimestamps: z.literal('log-append-time').optional(),
      destinationCompression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).optional(),
      schemaIdMap: z.record(z.string().regex(/^-?\d+$/), z.number().int()).optional(),
      partitions: z.array(
        z.strictObject({
          partition: z.number().int().nonnegative(),
          start: decimal,
          end: decimal,
          destinationPartition: z.number().int().nonnegative().nullable(),
          upperBound: z.number().int().nonnegative(),
          exact: exactSchema.nullable(),
          anchors: anchorsSchema.nullable().optional(),
        }),
      ),
    }),
  ),
  estimate: z.strictObject({ records: z.number(), exact: z.boolean(), bytes: z.number(), seconds: z.number() }),
  after: z
    .strictObject({
      planHash: z.string(),
      planFile: z.string(),
      chain: z.array(z.strictObject({ source: z.string(), starts: z.array(decimal), destinationStarts: z.array(decimal) })),
    })
    .optional(),
  checks: z.array(
    z.strictObject({
      level: z.enum(['error', 'warning', 'info']),
      code: z.string(),
      topic: z.string().optional(),
      partition: z.number().int().optional(),
      message: z.string(),
    }),
  ),
  hash: z.string(),
});
