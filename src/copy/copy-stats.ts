import type { Codec } from '../kafka/wire/batch/batch-compression.ts';

/**
 * How the copied records travelled, batch by batch as written to the destination. Every written
 * batch is exactly one of: forwarded as fetched (bytes untouched), filtered (the kept records of
 * one source batch, rebuilt), joined (several small batches in one) or re-encoded (decoded records
 * encoded anew). The batches kreroute built (all but the forwarded ones) are counted by the codec
 * they were written with.
 */
export interface CopyStats {
  forwardedBatches: number;
  forwardedRecords: number;
  filteredBatches: number;
  filteredRecords: number;
  joinedBatches: number;
  joinedRecords: number;
  /** Source batches (as fetched or filtered) that went into the joined ones. */
  mergedBatches: number;
  reencodedBatches: number;
  reencodedRecords: number;
  /** Built batches by codec (only codecs used appear). */
  builtCodecs: Partial<Record<Codec, number>>;
}

export function emptyCopyStats(): CopyStats {
  return {
    forwardedBatches: 0,
    forwardedRecords: 0,
    filteredBatches: 0,
    filteredRecords: 0,
    joinedBatches: 0,
    joinedRecords: 0,
    mergedBatches: 0,
    reencodedBatches: 0,
    reencodedRecords: 0,
    builtCodecs: {},
  };
}

/** The stats of several copies (shards, workers) together. */
export function sumCopyStats(all: CopyStats[]): CopyStats {
  const total = emptyCopyStats();
  for (const stats of all) {
    for (const key of Object.keys(total) as Array<keyof CopyStats>) {
      if (key !== 'builtCodecs') total[key] += stats[key];
    }
    for (const [codec, n] of Object.entries(stats.builtCodecs) as Array<[Codec, number]>) total.builtCodecs[codec] = (total.builtCodecs[codec] ?? 0) + n;
  }
  return total;
}

/** Counts one written batch of `records`; a built one (not forwarded) by its codec, a joined one with the source batches it holds. */
export function countWritten(stats: CopyStats, kind: 'forwarded' | 'filtered' | 'joined' | 'reencoded', records: number, codec?: Codec, joinedFrom = 0): void {
  stats[`${kind}Batches`]++;
  stats[`${kind}Records`] += records;
  stats.mergedBatches += joinedFrom;
  if (codec) stats.builtCodecs[codec] = (stats.builtCodecs[codec] ?? 0) + 1;
}
