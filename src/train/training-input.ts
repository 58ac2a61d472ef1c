// Where `seqsentry train` reads its events: the --input files, or a copy of the --from-index events taken once
// (training reads them more than once and every reading must see the same events).
import { join } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import { readEvents, type ReadItem, type ReadStats } from '../adapters/read.js';
import { timeFieldOf } from '../enrich/query.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import type { OpenSearchConfig } from '../opensearch/config.js';
import { progress } from '../util/progress.js';
import { exportIndex, readExport, type IndexExport } from './from-index.js';

export interface TrainingInput {
  read: (stats: ReadStats) => AsyncIterable<ReadItem>;
  /** The same events read through another adapter (one with options learnt from them, or text tokens). */
  readWith: (adapter: Adapter, stats: ReadStats) => AsyncIterable<ReadItem>;
  /** The files or the index, for messages. */
  what: string;
}

export async function openTrainingInput(inputs: readonly string[], fromIndex: (IndexExport & { opensearch: OpenSearchConfig }) | undefined, adapter: Adapter, strict: boolean, work: string): Promise<TrainingInput> {
  if (!fromIndex) {
    const readWith = (a: Adapter, stats: ReadStats) => readEvents(inputs, a, stats, strict);
    return { what: inputs.join(', '), readWith, read: (stats) => readWith(adapter, stats) };
  }
  const exported = join(work, 'index.ndjson');
  const copying = progress(`reading ${fromIndex.pattern}`);
  const client = createOpenSearchClient(fromIndex.opensearch);
  try {
    const n = await exportIndex(client, { ...fromIndex, timeField: timeFieldOf(adapter) }, exported, (done, total) => copying.update(done, total));
    copying.finish(`${n} events since ${fromIndex.since}${fromIndex.excludeQuery ? `, leaving out ${JSON.stringify(fromIndex.excludeQuery)}` : ''}`);
  } finally {
    await client.close();
  }
  const readWith = (a: Adapter, stats: ReadStats) => readExport(exported, a, stats, strict);
  return { what: `${fromIndex.pattern} since ${fromIndex.since}`, readWith, read: (stats) => readWith(adapter, stats) };
}
