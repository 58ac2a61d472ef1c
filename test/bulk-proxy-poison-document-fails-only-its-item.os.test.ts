// A poison document (nested 6,000 deep and carrying an anomaly key, so the proxy must rewrite it) fails at most its
// own item: the other 499 documents of the bulk are scored and indexed.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { allDocs, deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('poison');
let sidecar: Sidecar;
const DEPTH = 6_000;

beforeAll(async () => {
  if (url) sidecar = await startTestSidecar({ 'opensearch.url': url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('bulk proxy with a poison document', () => {
  it('indexes and scores the 499 others and answers the poison one in its own item', async () => {
    const docs = ecsDocs({ users: 5, days: 5, perDay: 20, seed: 5, startMs: FIXTURE_START_MS + 14 * 86_400_000 }).slice(0, 500);
    expect(docs).toHaveLength(500);
    const poisonAt = 250;
    const deep = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
    const lines: string[] = [];
    docs.forEach((d, i) => {
      lines.push(JSON.stringify({ index: { _id: `d${i}` } }));
      lines.push(i === poisonAt ? `${JSON.stringify({ ...d, anomaly_score: 0 }).slice(0, -1)},"deep":${deep}}` : JSON.stringify(d));
    });
    const res = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body: lines.join('\n') + '\n' });
    expect(res.status).toBe(200);
    expect(res.json.items).toHaveLength(500);
    const statuses = res.json.items.map((it: { index: { status: number } }) => it.index.status);
    expect(statuses.filter((s: number, i: number) => i !== poisonAt && s !== 201)).toEqual([]);
    const poison = res.json.items[poisonAt].index;
    // OpenSearch's own per-item answer for the poison document (it refuses that depth), with its reason.
    if (poison.status !== 201) expect(poison.error.reason).toEqual(expect.any(String));
    const stored = (await allDocs(url, index)).filter((d) => d._id !== `d${poisonAt}`);
    expect(stored).toHaveLength(499);
    expect(stored.every((d) => typeof d.anomaly_score === 'number')).toBe(true);
    expect((await os(url, 'GET', `/${index}/_count`)).json.count).toBe(poison.status === 201 ? 500 : 499);
  });
});
