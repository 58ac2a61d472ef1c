// A connection-enrich pass refreshes the indices before its walk, so a restarted run sees every connection the run
// before it wrote, whole: none is scored again and none of its records reads as late. Without that, what the walk
// saw depended on when OpenSearch's periodic refresh fell, and a refresh in the middle of a bulk showed part of a
// connection's records scored, which the next run took for records that came after it was scored. Here the index
// never refreshes on its own (refresh_interval -1), so only the pass's own refresh can show the stopped run's writes.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ConnectionEnrichStats } from '../src/kinds/zeek-seq/connection-enrich.js';
import { otrfZeekFiles, zeekSeqModel } from './support/model-fixture.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { enrichOptions, requireZeekSeq, runConnectionEnrich, shipDocs, zeekDocs, zeekIndexBody, zeekSeqReady } from './support/zeek-seq-fixture.js';

const ready = zeekSeqReady();
const index = uniqueIndex('zeek-seq-no-refresh');
let stopped: ConnectionEnrichStats;
let restarted: ConnectionEnrichStats;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url || !ready) return;
  const modelDir = await zeekSeqModel();
  const body = zeekIndexBody() as { settings: Record<string, unknown> };
  const created = await os(url, 'PUT', `/${index}`, { ...body, settings: { ...body.settings, refresh_interval: '-1' } });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  await shipDocs(url, index, zeekDocs(otrfZeekFiles('day2')));
  stopped = await runConnectionEnrich(url, modelDir, enrichOptions(index, 0, 64), 1);
  restarted = await runConnectionEnrich(url, modelDir, enrichOptions(index, 0, 64));
}, 900_000);

afterAll(async () => {
  const url = inject('opensearchUrl');
  if (url) await deleteIndex(url, index);
});

beforeEach((ctx) => requireZeekSeq(ctx));

describe.runIf(ready)('a restarted zeek-seq connection enrich', () => {
  it('remembers every connection the stopped run wrote, whole, and scores the rest', () => {
    expect(stopped.connections).toBeGreaterThanOrEqual(64);
    expect(restarted.remembered).toBe(stopped.connections);
    expect(restarted.late).toBe(0);
    expect(restarted.connections).toBeGreaterThan(500);
  });
});
