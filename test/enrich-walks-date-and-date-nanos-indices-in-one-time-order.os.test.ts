// enrich walks its pattern's events in time order; an index of the pattern that maps the time as date_nanos sorts in
// nanoseconds against the others' milliseconds unless the sort says otherwise, which put every one of its events after
// every event of the others (against a real node: 2,711 of 3,000 scores then differed from `score`'s). The walk's sort
// and the history refill's order both indices' events by one clock.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { eventSort } from '../src/enrich/query.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const url = inject('opensearchUrl');
const base = uniqueIndex('mixed-time');
const indices = [`${base}-date`, `${base}-nanos`];
/** Event n (1..8) at second n, alternately in the two indices, as one user's. */
const events = Array.from({ length: 8 }, (_, k) => ({
  index: indices[k % 2]!, id: `e${k + 1}`,
  doc: { '@timestamp': new Date(Date.UTC(2024, 0, 1, 0, 0, k + 1)).toISOString(), user: { name: 'alice' }, source: { domain: 'ws1' }, host: { name: 'srv1' }, event: { action: 'logged-in', outcome: 'success' }, anomaly_score: 0.5 },
}));

beforeAll(async () => {
  if (!url) return;
  for (const [i, index] of indices.entries()) {
    const time = i === 0 ? 'date' : 'date_nanos';
    expect((await os(url, 'PUT', `/${index}`, { mappings: { properties: { '@timestamp': { type: time }, user: { properties: { name: { type: 'keyword' } } }, anomaly_score: { type: 'float' } } } })).status).toBe(200);
  }
  const lines = events.flatMap((e) => [JSON.stringify({ index: { _index: e.index, _id: e.id } }), JSON.stringify(e.doc)]).join('\n') + '\n';
  const res = await fetch(`${url}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
  expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
});
afterAll(async () => {
  for (const index of indices) await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('a pattern of date and date_nanos indices', () => {
  it('is walked in one time order, its sort values in milliseconds', async () => {
    const res = await os(url, 'POST', `/${base}-*/_search`, { size: 20, sort: eventSort('@timestamp') });
    const hits = res.json.hits.hits as Array<{ _id: string; sort: [number, string, string] }>;
    expect(hits.map((h) => h._id)).toEqual(events.map((e) => e.id));
    expect(hits.map((h) => h.sort[0])).toEqual(events.map((e) => Date.parse(e.doc['@timestamp'])));
  });

  it('gives the history refill the latest events of both, oldest first', async () => {
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    try {
      const adapter = createAdapter('ecs');
      const load = createHistoryLoader({ client, adapter, fields: historyFieldsFor(adapter), timeoutMs: 10_000 });
      const got = await load(`${base}-*`, 'alice', Date.UTC(2024, 0, 1, 0, 0, 30) / 1000, 4);
      expect(got.map((e: CanonicalEvent) => e.time)).toEqual([5, 6, 7, 8].map((s) => Date.UTC(2024, 0, 1, 0, 0, s) / 1000));
    } finally {
      await client.close();
    }
  });
});
