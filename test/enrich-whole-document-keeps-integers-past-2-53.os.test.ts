// JavaScript reads an integer past 2^53 (a 64-bit record id, an unsigned_long) as the nearest double, so writing the
// read source back would round it. Such an event keeps the partial update, which OpenSearch merges into the stored
// source with the number's digits intact; the other events of the same bulk are still written whole.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WriteOutcome } from '../src/enrich/anomaly-writer.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { deleteIndex, uniqueIndex } from './support/os-helpers.js';
import { requireOpenSearch } from './support/opensearch.js';
import { asUpdates, createEvents, readAsEnrich, storedDocs, writeBack } from './support/write-back-fixture.js';

const BIG = '18446744073709551557';
const LONG = '9223372036854775807';

describe('enrich keeps integers past 2^53 exactly', () => {
  let url = '';
  const index = uniqueIndex('whole-doc-bigint');
  let outcome: WriteOutcome;

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    const body = eventsIndexBody(1) as { mappings: { properties: Record<string, unknown> } };
    body.mappings.properties.record_id = { type: 'unsigned_long' };
    body.mappings.properties.seq = { type: 'long' };
    // Raw text: JSON.stringify could not write these numbers.
    await createEvents(url, index, body, {
      big: `{"@timestamp":"2026-12-06T08:00:00Z","record_id":${BIG},"seq":${LONG}}`,
      nested: `{"@timestamp":"2026-12-06T08:00:01Z","winlog":{"ids":[1,${LONG}]}}`,
      plain: { '@timestamp': '2026-12-06T08:00:02Z', record_id: 7, seq: 8 },
    });
    const hits = await readAsEnrich(url, index);
    outcome = await writeBack(url, asUpdates(index, hits), true);
  }, 120_000);

  afterAll(() => deleteIndex(url, index));

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes the two events with such numbers as partial updates and the other whole', () => {
    expect(outcome).toMatchObject({ updated: 3, indexed: 1, failed: [] });
  });

  it('keeps their digits in the stored source', async () => {
    const docs = await storedDocs(url, index, ['big', 'nested', 'plain']);
    expect(docs.get('big')!.text).toContain(`"record_id":${BIG}`);
    expect(docs.get('big')!.text).toContain(`"seq":${LONG}`);
    expect(docs.get('nested')!.text).toContain(`"ids":[1,${LONG}]`);
    for (const doc of docs.values()) expect(doc.source.anomaly.model.name).toBe('m');
  });
});
