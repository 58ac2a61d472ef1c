// The whole document enrich writes back is the source it read: an event changed since (another writer's field, a
// score of another job) or deleted must not be overwritten by it. The `index` action carries the read's
// _seq_no/_primary_term, so OpenSearch answers 409; the writer re-reads, leaves a scored event be, counts a deleted one
// gone, and sends an unscored changed one again as a partial update, which keeps the other writer's change.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WriteOutcome } from '../src/enrich/anomaly-writer.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { requireOpenSearch } from './support/opensearch.js';
import { asUpdates, createEvents, readAsEnrich, storedDocs, writeBack } from './support/write-back-fixture.js';

const OTHER_SCORE = { anomaly_score: 0.5, anomaly: { model: { name: 'other', version: '1', kind: 'transformer-mlm' }, scored_at: '2026-01-20T00:00:00.000Z' } };

describe('enrich does not overwrite an event changed since it was read', () => {
  let url = '';
  const index = uniqueIndex('whole-doc-changed');
  let outcome: WriteOutcome;

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    await createEvents(url, index, eventsIndexBody(1), {
      changed: { '@timestamp': '2026-12-06T08:00:00Z', user: { name: 'alice' } },
      deleted: { '@timestamp': '2026-12-06T08:00:01Z', user: { name: 'bob' } },
      scored: { '@timestamp': '2026-12-06T08:00:02Z', user: { name: 'carol' } },
      untouched: { '@timestamp': '2026-12-06T08:00:03Z', user: { name: 'dave' } },
    });
    const hits = await readAsEnrich(url, index);
    // Between enrich's read and its write: a field added, an event deleted, one scored by another job.
    const lines = [
      { update: { _index: index, _id: 'changed' } }, { doc: { tags: ['triaged'] } },
      { delete: { _index: index, _id: 'deleted' } },
      { update: { _index: index, _id: 'scored' } }, { doc: OTHER_SCORE },
    ];
    const res = await os(url, 'POST', '/_bulk?refresh=true', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    if (res.json?.errors !== false) throw new Error(JSON.stringify(res.json));
    outcome = await writeBack(url, asUpdates(index, hits), true);
  }, 120_000);

  afterAll(() => deleteIndex(url, index));

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('accounts for each event: written, gone, or scored by the other job', () => {
    // untouched whole; changed re-sent as a partial update after its 409.
    expect(outcome).toMatchObject({ updated: 2, indexed: 1, gone: 1, alreadyScored: 1, failed: [], itemRetries: 1 });
  });

  it('keeps the other writer\'s field and score, and recreates no deleted event', async () => {
    const docs = await storedDocs(url, index, ['changed', 'scored', 'untouched']);
    expect(docs.get('changed')!.source).toMatchObject({ tags: ['triaged'], user: { name: 'alice' }, anomaly: { model: { name: 'm' } } });
    expect(docs.get('scored')!.source).toMatchObject({ anomaly_score: 0.5, anomaly: { model: { name: 'other' } } });
    expect(docs.get('untouched')!.source.anomaly.model.name).toBe('m');
    const gone = await os(url, 'GET', `/${index}/_doc/deleted`);
    expect(gone.status).toBe(404);
  });
});
