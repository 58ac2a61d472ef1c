// Bulk items OpenSearch refuses (an index name it rejects, a strict mapping) come back to the shipper with
// OpenSearch's own per-item errors, while the other items of the same request are written; unknown fields are kept.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { allDocs, deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('passthrough');
const strict = uniqueIndex('strict');
let sidecar: Sidecar;

beforeAll(async () => {
  if (!url) return;
  sidecar = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true });
  // A user's index with a strict mapping that does not know the anomaly fields (the installer's template was not added).
  const created = await os(url, 'PUT', `/${strict}`, {
    mappings: { dynamic: 'strict', properties: { '@timestamp': { type: 'date' }, user: { properties: { name: { type: 'keyword' }, domain: { type: 'keyword' } } } } },
  });
  if (created.status !== 200) throw new Error(`create ${strict}: ${JSON.stringify(created.json)}`);
});
afterAll(async () => {
  await sidecar?.shutdown();
  await deleteIndex(url, index);
  await deleteIndex(url, strict);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('bulk proxy and OpenSearch per-item errors', () => {
  it('returns the refusals as OpenSearch gave them, writes the rest, and keeps fields the model does not know', async () => {
    const extra = { ...habitualLogon(3), labels: { site: 'lab-7', ticket: 4711 }, process: { name: 'winlogon.exe' } };
    const body = ndjson(
      { index: { _index: index, _id: 'ok' } }, habitualLogon(1),
      { index: { _index: 'Not_A_Valid_Index', _id: 'bad-name' } }, habitualLogon(2),
      { create: { _index: index, _id: 'extra-fields' } }, extra,
      { index: { _index: strict, _id: 'strict' } }, { '@timestamp': habitualLogon(4)['@timestamp'], user: { name: 'user04', domain: 'CORP' } },
    );
    const res = await call(sidecar.url, 'POST', '/_bulk?refresh=true', { body });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(true);
    const items = res.json.items.map((i: Record<string, { _id: string; status: number; error?: { type: string } }>) => Object.values(i)[0]!);
    expect(items.map((i: { _id: string }) => i._id)).toEqual(['ok', 'bad-name', 'extra-fields', 'strict']);
    expect(items.map((i: { status: number }) => i.status)).toEqual([201, 400, 201, 400]);
    expect(items[1].error.type).toBe('invalid_index_name_exception');
    expect(items[3].error.type).toBe('strict_dynamic_mapping_exception');

    const stored = Object.fromEntries((await allDocs(url, index)).map((d) => [d._id, d]));
    expect(Object.keys(stored).sort()).toEqual(['extra-fields', 'ok']);
    const { _id, anomaly_score: score, anomaly, ...rest } = stored['extra-fields']!;
    expect(rest).toEqual(extra);
    expect(score).toBeTypeOf('number');
    expect(anomaly.error).toBeUndefined();
    expect(stored.ok!.anomaly_score).toBeTypeOf('number');
    expect((await os(url, 'POST', `/${strict}/_count`)).json.count).toBe(0);
  });
});
