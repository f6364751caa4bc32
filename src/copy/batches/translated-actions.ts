import { translateRecord } from '../../schemas/record-translation.ts';
import type { ChunkAction } from './chunk-actions.ts';

/** --schemas translate: rewrites the schema ids of the records the actions carry (none is forwarded, see planChunk's forwardAllowed). */
export function translateActions(actions: ChunkAction[], idMap: Readonly<Record<string, number>>): void {
  for (const action of actions) {
    if (action.kind === 'forward') throw new Error('a batch to be forwarded as fetched in a copy that translates schema ids');
    action.records = action.records.map((record) => translateRecord(record, idMap));
  }
}
