// Partial updates keep a page's bulk small whatever the events hold; whole documents carry them, so a page of large
// events (Windows XML, long messages) would outgrow OpenSearch's request limit (http.max_content_length). The writer
// sends a page in several bulks, in order, each within its character budget, and writes a document larger than the
// budget alone as a partial update. Shown with a small budget on real events.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WriteOutcome } from '../src/enrich/anomaly-writer.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { deleteIndex, uniqueIndex } from './support/os-helpers.js';
import { requireOpenSearch } from './support/opensearch.js';
import { asUpdates, createEvents, readAsEnrich, storedDocs, writeBack } from './support/write-back-fixture.js';

const BUDGET = 20_000;
/** 12 events of about 4,000 characters (three or four to a bulk) and one past the budget. */
const EVENTS: Record<string, unknown> = Object.fromEntries([
  ...Array.from({ length: 12 }, (_, i) => [`e${String(i).padStart(2, '0')}`, { '@timestamp': `2026-12-06T08:00:${String(i).padStart(2, '0')}Z`, message: `m${i} `.repeat(1000) }]),
  ['huge', { '@timestamp': '2026-12-06T08:01:00Z', message: 'x'.repeat(BUDGET + 1) }],
]);

describe('enrich sends whole documents in bulks that fit the request limit', () => {
  let url = '';
  const index = uniqueIndex('whole-doc-parts');
  const bulks = { count: 0 };
  let outcome: WriteOutcome;

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    await createEvents(url, index, eventsIndexBody(1), EVENTS);
    outcome = await writeBack(url, asUpdates(index, await readAsEnrich(url, index)), true, { maxWholeChars: BUDGET }, bulks);
  }, 120_000);

  afterAll(() => deleteIndex(url, index));

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes every event, the one past the budget as a partial update, in several bulks', () => {
    expect(outcome).toMatchObject({ updated: 13, indexed: 12, failed: [], gone: 0, itemRetries: 0 });
    // 12 × ~4.2k characters, four to a part of at most 20k (the partial update counted as 1k joins the last): 3 bulks.
    expect(bulks.count).toBe(3);
  });

  it('stores each event with its message and its anomaly fields', async () => {
    const ids = Object.keys(EVENTS);
    const docs = await storedDocs(url, index, ids);
    for (const id of ids) {
      expect(docs.get(id)!.source.message, id).toBe((EVENTS[id] as { message: string }).message);
      expect(docs.get(id)!.source.anomaly.model.name, id).toBe('m');
      expect(docs.get(id)!.version, id).toBe(2);
    }
  });
});
