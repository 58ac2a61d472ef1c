// A bulk partial update runs neither the index's default nor its final ingest pipeline; an `index` action runs the
// default one unless the item says `pipeline: "_none"`, and the final one always (checked on 2.19.6). So enrich writes
// whole documents with `pipeline: "_none"`, and keeps the partial update on an index with a final pipeline: neither
// pipeline runs again on an event it already processed (one that scores or reshapes events would do it twice).
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WriteOutcome } from '../src/enrich/anomaly-writer.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { requireOpenSearch } from './support/opensearch.js';
import { asUpdates, createEvents, readAsEnrich, storedDocs, writeBack } from './support/write-back-fixture.js';

const PIPELINE = `seqsentry-test-count-runs-${process.pid}`;

describe('enrich runs no ingest pipeline again on the events it writes back', () => {
  let url = '';
  const withDefault = uniqueIndex('default-pipeline');
  const withFinal = uniqueIndex('final-pipeline');
  const outcomes: Record<string, WriteOutcome> = {};

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    // Counts its runs in the event: 1 after ingest, 2 if a write-back ran it again.
    const put = await os(url, 'PUT', `/_ingest/pipeline/${PIPELINE}`, { processors: [{ script: { source: 'ctx.runs = (ctx.runs == null ? 0 : ctx.runs) + 1' } }] });
    if (put.status !== 200) throw new Error(`pipeline: ${JSON.stringify(put.json)}`);
    for (const [index, setting] of [[withDefault, 'default_pipeline'], [withFinal, 'final_pipeline']] as const) {
      const body = eventsIndexBody(1) as { settings: Record<string, unknown> };
      body.settings[`index.${setting}`] = PIPELINE;
      await createEvents(url, index, body, { a: { '@timestamp': '2026-12-06T08:00:00Z', user: { name: 'alice' } }, b: { '@timestamp': '2026-12-06T08:00:01Z', user: { name: 'bob' } } });
      const hits = await readAsEnrich(url, index);
      expect(hits.every((h) => h.source.runs === 1)).toBe(true);
      outcomes[index] = await writeBack(url, asUpdates(index, hits), true);
    }
  }, 120_000);

  afterAll(async () => {
    await deleteIndex(url, withDefault);
    await deleteIndex(url, withFinal);
    if (url) await os(url, 'DELETE', `/_ingest/pipeline/${PIPELINE}`);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes whole documents past a default pipeline and partial updates where a final pipeline is set', () => {
    expect(outcomes[withDefault]).toMatchObject({ updated: 2, indexed: 2, failed: [] });
    expect(outcomes[withFinal]).toMatchObject({ updated: 2, indexed: 0, failed: [] });
  });

  it('leaves each event as its pipeline made it, plus the anomaly fields', async () => {
    for (const index of [withDefault, withFinal]) {
      for (const [id, doc] of await storedDocs(url, index, ['a', 'b'])) {
        expect(doc.source.runs, `${index}/${id}`).toBe(1);
        expect(doc.source.anomaly.model.name, `${index}/${id}`).toBe('m');
      }
    }
  });
});
