// Enrich writes each event back whole (`index` action: the read _source plus the anomaly fields) where it may. The
// stored document must be the one the partial update stores: the same events, written both ways into two indices,
// read back equal, whatever the event holds (nested objects, arrays, an anomaly object the proxy left, dotted keys, odd numbers and text).
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WriteOutcome } from '../src/enrich/anomaly-writer.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { deleteIndex, uniqueIndex } from './support/os-helpers.js';
import { requireOpenSearch } from './support/opensearch.js';
import { asUpdates, createEvents, readAsEnrich, storedDocs, writeBack } from './support/write-back-fixture.js';

const EVENTS: Record<string, unknown> = {
  plain: { '@timestamp': '2026-12-06T08:00:00Z', user: { name: 'alice' }, host: { name: 'h1' }, event: { outcome: 'success' } },
  // The proxy's pending mark: the partial update merges into the existing anomaly object (pending set to null,
  // its other keys kept).
  pending: { '@timestamp': '2026-12-06T08:00:01Z', user: { name: 'bob' }, anomaly: { pending: 'history not loaded', entity: 'bob', time: 1796544001 } },
  arrays: { '@timestamp': '2026-12-06T08:00:02Z', tags: ['a', 'b'], related: { ip: ['10.0.0.1', '10.0.0.2'] }, nested: [{ k: 1 }, { k: [2, 3] }], empty: {}, nothing: null },
  numbers: { '@timestamp': '2026-12-06T08:00:03Z', n: { small: 0.1, tiny: 1e-7, neg: -42, max_safe: 9007199254740991, small_exp: 1.5e-300, zero: 0 } },
  text: { '@timestamp': '2026-12-06T08:00:04Z', message: 'línea "quoted" \\ back\nslash \u2028 \ud83d\ude00 <tab>\t' },
  // A dotted key is a key of its own in _source: neither path folds it into the anomaly object.
  dotted: { '@timestamp': '2026-12-06T08:00:05Z', 'anomaly.note': 'kept apart', 'user.name': 'carol' },
};

describe('enrich writes the read source plus the anomaly fields, as the partial update stores them', () => {
  let url = '';
  const whole = uniqueIndex('whole-doc');
  const partial = uniqueIndex('partial-doc');
  const ids = Object.keys(EVENTS).sort();
  let wrote: { whole: WriteOutcome; partial: WriteOutcome };

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    const run = async (index: string, wholeDocuments: boolean) => {
      await createEvents(url, index, eventsIndexBody(1), EVENTS);
      const hits = await readAsEnrich(url, index);
      // As the enricher clears the proxy's mark with the score.
      const updates = asUpdates(index, hits).map((u) => (u.id === 'pending' ? { ...u, fields: { ...u.fields, anomaly: { ...u.fields.anomaly, pending: null } } } : u));
      return writeBack(url, updates, wholeDocuments);
    };
    wrote = { whole: await run(whole, true), partial: await run(partial, false) };
  }, 120_000);

  afterAll(async () => {
    await deleteIndex(url, whole);
    await deleteIndex(url, partial);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes every event whole on one path and partially on the other', () => {
    expect(wrote.whole).toMatchObject({ updated: ids.length, indexed: ids.length, failed: [], gone: 0, alreadyScored: 0 });
    expect(wrote.partial).toMatchObject({ updated: ids.length, indexed: 0, failed: [] });
  });

  it('stores the same document either way', async () => {
    const a = await storedDocs(url, whole, ids);
    const b = await storedDocs(url, partial, ids);
    for (const id of ids) {
      expect(a.get(id)!.source, id).toEqual(b.get(id)!.source);
      // The event's own keys keep their order on both paths. (The keys a partial update adds come in hash order,
      // anomaly_score before anomaly; written whole they come in the serializer's order: JSON objects are unordered.)
      const own = Object.keys(EVENTS[id] as object);
      expect(Object.keys(a.get(id)!.source).slice(0, own.length), id).toEqual(own);
      expect(Object.keys(b.get(id)!.source).slice(0, own.length), id).toEqual(own);
      expect(a.get(id)!.version, id).toBe(2);
    }
  });

  it('is the read source with the anomaly fields set, the proxy\'s pending mark cleared and its other keys kept', async () => {
    const a = await storedDocs(url, whole, ids);
    const pending = a.get('pending')!.source;
    expect(pending.anomaly).toMatchObject({ pending: null, entity: 'bob', time: 1796544001, model: { name: 'm' } });
    expect(pending.anomaly_score).toBeGreaterThan(0);
    const { anomaly, anomaly_score, ...rest } = a.get('arrays')!.source;
    expect(rest).toEqual(EVENTS.arrays);
    expect(anomaly.scored_at).toBe('2026-12-06T00:00:00.000Z');
    expect(typeof anomaly_score).toBe('number');
    expect(a.get('dotted')!.source['anomaly.note']).toBe('kept apart');
  });
});
