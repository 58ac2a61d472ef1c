// Through the proxy into a real OpenSearch: documents land with anomaly fields, OpenSearch's answer comes back as is.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, outOfHabitLogon } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { allDocs, deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('proxy');
const fresh = uniqueIndex('proxy-auto');
let sidecar: Sidecar;

beforeAll(async () => {
  // Every event explained in full: the test compares raw scores, written only with the full explanation.
  if (url) sidecar = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true, 'explanation.full_above': 0 });
});
afterAll(async () => {
  await sidecar?.shutdown();
  for (const i of [index, fresh]) await deleteIndex(url, i);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('bulk proxy against OpenSearch', () => {
  const docs = ecsDocs({ users: 10, days: 1, perDay: 4 });

  it('indexes every document with anomaly_score and anomaly.*, answering with OpenSearch\'s own body', async () => {
    const body = ndjson(...docs.flatMap((d, i) => [{ index: { _id: `d${i}` } }, d]), { create: { _id: 'odd' } }, outOfHabitLogon(3));
    const res = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(false);
    expect(res.json.items).toHaveLength(docs.length + 1);
    expect(res.json.items[0].index).toMatchObject({ _index: index, _id: 'd0', result: 'created', status: 201 });
    expect(res.json.items.at(-1).create).toMatchObject({ _id: 'odd', status: 201 });
    expect(res.json.took).toBeTypeOf('number');

    const stored = await allDocs(url, index);
    expect(stored).toHaveLength(docs.length + 1);
    for (const d of stored) {
      expect(d.anomaly_score).toBeGreaterThanOrEqual(0);
      expect(d.anomaly).toMatchObject({ raw: expect.any(Number), is_anomaly: expect.any(Boolean), model: { kind: 'transformer-mlm' } });
      expect(d.anomaly.error).toBeUndefined();
    }
    const odd = stored.find((d) => d._id === 'odd')!;
    const usual = stored.filter((d) => d._id !== 'odd' && d.user.name === 'user03');
    expect(odd.anomaly.raw).toBeGreaterThan(Math.max(...usual.map((d) => d.anomaly.raw)));
  });

  it('refuses update and delete by default: the stored documents stay as they were', async () => {
    const before = await allDocs(url, index);
    const body = ndjson({ update: { _id: 'd1' } }, { doc: { anomaly_score: 0 } }, { delete: { _id: 'd2' } });
    const res = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(true);
    expect(res.json.items.map((i: Record<string, { status: number }>) => Object.values(i)[0]!.status)).toEqual([403, 403]);
    expect(await allDocs(url, index)).toEqual(before);
  });

  it('lets OpenSearch decide about unknown indices: auto-created, or its error passed through', async () => {
    const auto = await call(sidecar.url, 'POST', `/_bulk?refresh=true`, { body: ndjson({ index: { _index: fresh } }, docs[0]) });
    expect(auto.status).toBe(200);
    expect(auto.json.items[0].index).toMatchObject({ _index: fresh, status: 201 });
    expect((await os(url, 'HEAD', `/${fresh}`)).status).toBe(200);

    const bad = ndjson({ index: { _index: 'Not_A_Valid_Index' } }, docs[0]);
    const direct = await os(url, 'POST', '/_bulk', bad);
    const proxied = await call(sidecar.url, 'POST', '/_bulk', { body: bad });
    expect(proxied.status).toBe(direct.status);
    expect(proxied.json.errors).toBe(true);
    expect(proxied.json.items[0].index.error.type).toBe(direct.json.items[0].index.error.type);
  });
});
