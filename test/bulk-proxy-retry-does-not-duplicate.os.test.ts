// A shipper that sends the same bulk twice (its first answer lost) gets no duplicates: documents without _id get a
// fingerprint id, so the retried index overwrites and the retried create is answered as a noop.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('retry');
let sidecar: Sidecar;

beforeAll(async () => {
  if (url) sidecar = await startTestSidecar({ 'opensearch.url': url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('bulk retries through the proxy', () => {
  it('writes each document once however often the bulk is sent', async () => {
    const docs = ecsDocs({ users: 3, days: 1, perDay: 10, seed: 3, startMs: FIXTURE_START_MS + 14 * 86_400_000 });
    const indexBody = ndjson(...docs.slice(0, 15).flatMap((d) => [{ index: {} }, d]));
    const createBody = ndjson(...docs.slice(15).flatMap((d) => [{ create: {} }, d]));
    for (let attempt = 0; attempt < 2; attempt++) {
      const a = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body: indexBody });
      expect(a.json.errors).toBe(false);
      const c = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body: createBody });
      expect(c.status).toBe(200);
      expect(c.json.errors).toBe(false);
      const statuses = c.json.items.map((it: { create: { status: number; result?: string } }) => `${it.create.status}${it.create.result === 'noop' ? ' noop' : ''}`);
      expect(new Set(statuses)).toEqual(new Set([attempt === 0 ? '201' : '200 noop']));
    }
    expect((await os(url, 'GET', `/${index}/_count`)).json.count).toBe(docs.length);
  });
});
