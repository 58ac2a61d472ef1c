// `train --from-index`: the customer's events where they already are. One walk over a point in time in event-time
// order (the enricher's reader) copies each document to a local NDJSON file, because training reads its events
// twice (the model, then the fusion) and both must see the same events; the copy is deleted with the work folder.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Client } from '@opensearch-project/opensearch';
import type { Adapter } from '../adapters/adapter.js';
import { parseRecord, type ReadItem, type ReadStats } from '../adapters/read.js';
import type { SourceRef } from '../core/event.js';
import { sinceToDateMath, TIME_FIELD, windowQuery } from '../enrich/query.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { UnscoredEventReader } from '../enrich/unscored-events.js';
import { countUnseen, nonDateIndices } from '../enrich/unseen-events.js';

export interface IndexExport {
  pattern: string;
  /** `--since`: a duration (30d), date math or an ISO date. */
  since: string;
  /** Lucene query of the events to leave out (those analysts marked as attacks). */
  excludeQuery?: string;
  pageSize?: number;
  /** The event time field of the format's documents (default @timestamp). */
  timeField?: string;
}

/** Copies the matching documents, oldest first, to `file` as `{"i":index,"d":id,"s":source}` lines; returns how many. */
export async function exportIndex(client: Client, spec: IndexExport, file: string, onPage?: (copied: number, total: number | undefined) => void): Promise<number> {
  const sinceMath = sinceToDateMath(spec.since);
  const timeField = spec.timeField ?? TIME_FIELD;
  // Events the walk cannot read by time (no time field; an index mapping it as keyword, whose shards would fail the
  // walk's sort) are left out and said so.
  const nonDate = await nonDateIndices(client, spec.pattern, timeField, DEFAULT_BACKOFF);
  const unseen = await countUnseen(client, spec.pattern, timeField, nonDate, DEFAULT_BACKOFF, true);
  if (unseen.withoutTime > 0) process.stderr.write(`note: ${unseen.withoutTime} events of ${spec.pattern} have no ${timeField}: left out of the training (it reads events by their time)\n`);
  if (unseen.notDate > 0) process.stderr.write(`note: ${unseen.notDate} events of ${spec.pattern} are in indices mapping ${timeField} as another type than a date (${unseen.indices.map((x) => `${x.index}: ${x.type}`).join(', ')}): left out of the training\n`);
  const reader = new UnscoredEventReader(client, {
    pattern: spec.pattern,
    exclude: nonDate.map((x) => x.index),
    sinceMath,
    timeField,
    pageSize: spec.pageSize ?? 5000,
    keepAlive: '5m',
    backoff: DEFAULT_BACKOFF,
    query: windowQuery(sinceMath, timeField, spec.excludeQuery),
  });
  const out = createWriteStream(file);
  let copied = 0;
  let total: number | undefined;
  try {
    for await (const page of reader.pages(null)) {
      total ??= page.total;
      const text = page.hits.map((h) => JSON.stringify({ i: h.index, d: h.id, s: h.source })).join('\n') + '\n';
      if (!out.write(text)) await once(out, 'drain');
      copied += page.hits.length;
      onPage?.(copied, total);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return copied;
}

/** Reads an export back through the adapter; each event located by its index and id. */
export async function* readExport(file: string, adapter: Adapter, stats: ReadStats, strict = false): AsyncGenerator<ReadItem & { source: SourceRef }> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!text) continue;
    line += 1;
    const { i, d, s } = JSON.parse(text) as { i: string; d: string; s: Record<string, unknown> };
    const item = parseRecord(adapter, s, { file: `opensearch:${i}/_doc/${d}`, line }, stats, strict);
    if (item && item.skipped === undefined) yield item; // a skipped document is counted in stats by its reason
  }
}
