// With OpenSearch unreachable the shipper gets 502 and must retry: nothing is acknowledged, nothing written.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, closedPort, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('down');
let down: Sidecar;

beforeAll(async () => {
  if (url) down = await startTestSidecar({ 'opensearch.url': `http://127.0.0.1:${await closedPort()}`, 'history.refill': true });
});
afterAll(async () => {
  await down?.shutdown();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('bulk proxy when OpenSearch is down', () => {
  it('answers 502, acknowledges nothing, and the same bulk succeeds once OpenSearch is back', async () => {
    const body = ndjson({ index: { _id: 'x1' } }, habitualLogon(1), { create: { _id: 'x2' } }, habitualLogon(2));
    const res = await call(down.url, 'POST', `/${index}/_bulk?refresh=true`, { body });
    expect([502, 503]).toContain(res.status);
    expect(res.json.items).toBeUndefined();
    expect(res.json.error.reason).toContain('nothing written');
    expect((await call(down.url, 'GET', '/readyz', { token: null })).status).toBe(503);
    expect((await os(url, 'GET', `/${index}/_doc/x1`)).status).toBe(404);

    // The shipper's retry, through a sidecar that reaches OpenSearch, writes both.
    const up = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true });
    try {
      const retry = await call(up.url, 'POST', `/${index}/_bulk?refresh=true`, { body });
      expect(retry.status).toBe(200);
      expect(retry.json.errors).toBe(false);
      expect((await os(url, 'GET', `/${index}/_doc/x2`)).json._source.anomaly_score).toBeTypeOf('number');
    } finally {
      await up.shutdown();
    }
  });
});
