// An index whose mapping keeps only part of each event in _source (`_source.excludes` / `includes`) reads back without
// the left-out fields; enrich does not write such events whole but keeps the partial update there, as before. (Both
// re-index from the stored source, so a left-out field loses its index entries either way: shown below, and in the
// README.) An index whose _source is disabled cannot be updated at all: each event fails with OpenSearch's reason.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WriteOutcome } from '../src/enrich/anomaly-writer.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { requireOpenSearch } from './support/opensearch.js';
import { asUpdates, createEvents, readAsEnrich, storedDocs, writeBack } from './support/write-back-fixture.js';

const EVENTS = {
  a: { '@timestamp': '2026-12-06T08:00:00Z', user: { name: 'alice' }, secret: 's1', keep: 'k1' },
  b: { '@timestamp': '2026-12-06T08:00:01Z', user: { name: 'bob' }, secret: 's2', keep: 'k2' },
};

function withSource(source: Record<string, unknown>): Record<string, unknown> {
  const body = eventsIndexBody(1) as { mappings: Record<string, any> };
  body.mappings._source = source;
  body.mappings.properties.secret = { type: 'keyword' };
  body.mappings.properties.keep = { type: 'keyword' };
  return body;
}

describe('enrich keeps partial updates where the index stores a partial _source', () => {
  let url = '';
  const excludes = uniqueIndex('src-excludes');
  const includes = uniqueIndex('src-includes');
  const outcomes: Record<string, WriteOutcome> = {};
  const searchable: Record<string, number> = {};

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    for (const [index, source] of [[excludes, { excludes: ['secret'] }], [includes, { includes: ['@timestamp', 'user.*', 'keep', 'anomaly*'] }]] as const) {
      await createEvents(url, index, withSource(source), EVENTS);
      searchable[`${index}:before`] = (await os(url, 'POST', `/${index}/_count`, { query: { term: { secret: 's1' } } })).json.count;
      const hits = await readAsEnrich(url, index);
      outcomes[index] = await writeBack(url, asUpdates(index, hits), true);
      await os(url, 'POST', `/${index}/_refresh`);
      searchable[`${index}:after`] = (await os(url, 'POST', `/${index}/_count`, { query: { term: { secret: 's1' } } })).json.count;
    }
  }, 120_000);

  afterAll(async () => {
    await deleteIndex(url, excludes);
    await deleteIndex(url, includes);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes no event of either index whole, and every one by partial update', () => {
    for (const index of [excludes, includes]) expect(outcomes[index], index).toMatchObject({ updated: 2, indexed: 0, failed: [], gone: 0 });
  });

  it('stores what the partial update stores: the kept source plus the anomaly fields', async () => {
    for (const index of [excludes, includes]) {
      const docs = await storedDocs(url, index, ['a', 'b']);
      const { anomaly, anomaly_score, ...rest } = docs.get('a')!.source;
      expect(rest, index).toEqual({ '@timestamp': '2026-12-06T08:00:00Z', user: { name: 'alice' }, keep: 'k1' });
      expect(anomaly.model.name, index).toBe('m');
      expect(anomaly_score, index).toBe(0.1);
    }
  });

  it('(as before this change) leaves a field kept out of _source unsearchable once the event is re-indexed', () => {
    // The partial update re-indexes from the stored source too: enrich cannot keep such a field's index entries.
    expect(searchable[`${excludes}:before`]).toBe(1);
    expect(searchable[`${excludes}:after`]).toBe(0);
  });
});
