// Documents the adapter cannot read are still written, with anomaly.error locating them in the request.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { allDocs, deleteIndex, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('unscorable');
let sidecar: Sidecar;

beforeAll(async () => {
  if (url) sidecar = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('bulk proxy with unscorable documents', () => {
  it('writes them with anomaly.error and no anomaly_score, next to scored ones', async () => {
    const body = ndjson(
      { index: { _id: 'good' } }, habitualLogon(1),
      { index: { _id: 'no-time' } }, { user: { name: 'user02' }, message: 'no timestamp here' },
      { index: { _id: 'bad-time' } }, { ...habitualLogon(2), '@timestamp': 'yesterday-ish' },
      { index: { _id: 'no-fields' } }, { '@timestamp': '2026-01-12T10:00:00Z', message: 'nothing the model knows' },
    );
    const res = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body });
    expect(res.status).toBe(200);
    // OpenSearch itself refuses the bad timestamp (@timestamp is mapped as a date): its per-item error comes back.
    expect(res.json.errors).toBe(true);
    expect(res.json.items.map((i: { index: { status: number } }) => i.index.status)).toEqual([201, 201, 400, 201]);
    expect(res.json.items[2].index.error.type).toBe('mapper_parsing_exception');
    const byId = Object.fromEntries((await allDocs(url, index)).map((d) => [d._id, d]));
    expect(Object.keys(byId).sort()).toEqual(['good', 'no-fields', 'no-time']);
    expect(byId.good!.anomaly_score).toBeTypeOf('number');
    expect(byId['no-time']!.anomaly_score).toBeUndefined();
    expect(byId['no-time']!.anomaly.error).toBe('_bulk:4: field @timestamp: no timestamp (looked at @timestamp, event.created, timestamp)');
    expect(byId['no-time']!.message).toBe('no timestamp here');
    expect(byId['no-fields']!.anomaly.error).toMatch(/^_bulk:8: none of the mapped fields is present/);
    expect(byId['no-time']!.anomaly.model.name).toBe(byId.good!.anomaly.model.name);
  });
});
