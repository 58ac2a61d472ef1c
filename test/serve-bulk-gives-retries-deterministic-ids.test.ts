// index/create items without _id get a fingerprint of index and source as _id, so a retried bulk overwrites instead
// of duplicating; a retried create that meets its own first attempt (409) is answered as a noop success.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentId } from '../src/server/bulk-ids.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
let plain: Sidecar;
let answer: (lines: string[]) => unknown = () => ({ took: 1, errors: false, items: [] });

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const lines = req.body.split('\n').filter((l) => l !== '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(lines)));
  });
  // bulk.overwrite: an `index` of a shipper's _id goes as sent (without it, as a `create`: bulk-proxy-adds-events-and-replaces-none.os.test.ts)
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'bulk.overwrite': true });
  plain = await startTestSidecar({ 'opensearch.url': upstream.url, 'bulk.deterministic_ids': false, 'bulk.overwrite': true });
});
afterAll(async () => {
  await Promise.all([sidecar?.shutdown(), plain?.shutdown()]);
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  answer = () => ({ took: 1, errors: false, items: [] });
});

const actions = (k: number) => upstream.requests[k]!.body.split('\n').filter((_, i) => i % 2 === 0 && _ !== '').map((l) => JSON.parse(l));

describe('deterministic ids for retried bulks', () => {
  it('gives the same document the same id on every attempt, from its index and its bytes as sent', async () => {
    const a = JSON.stringify(habitualLogon(1));
    const b = JSON.stringify(habitualLogon(2));
    const body = ndjson({ index: { _index: 'logs-a' } }, a, { create: { _index: 'logs-b' } }, b, { index: { _index: 'logs-a', _id: 'mine' } }, a, { index: { _index: 'logs-b' } }, a);
    await call(sidecar.url, 'POST', '/_bulk', { body });
    await call(sidecar.url, 'POST', '/_bulk', { body });
    expect(actions(0)).toEqual(actions(1));
    expect(actions(0)).toEqual([
      { index: { _index: 'logs-a', _id: documentId('logs-a', a) } },
      { create: { _index: 'logs-b', _id: documentId('logs-b', b) } },
      { index: { _index: 'logs-a', _id: 'mine' } },
      { index: { _index: 'logs-b', _id: documentId('logs-b', a) } },
    ]);
    expect(documentId('logs-a', a)).toMatch(/^[\w-]{43}$/);
    expect(documentId('logs-b', a)).not.toBe(documentId('logs-a', a));
  });

  it('leaves ids to OpenSearch when bulk.deterministic_ids is off', async () => {
    await call(plain.url, 'POST', '/_bulk', { body: ndjson({ index: { _index: 'logs-a' } }, habitualLogon(1)) });
    expect(actions(0)).toEqual([{ index: { _index: 'logs-a' } }]);
  });

  it('answers a create that meets its own earlier write (409 on a generated id) as a noop success', async () => {
    answer = (lines) => {
      const items = lines.filter((_, i) => i % 2 === 0).map((l) => {
        const [action, meta] = Object.entries(JSON.parse(l) as Record<string, { _id: string }>)[0]!;
        return action === 'create'
          ? { create: { _index: 'logs', _id: meta._id, status: 409, error: { type: 'version_conflict_engine_exception', reason: `[${meta._id}]: version conflict, document already exists` } } }
          : { index: { _index: 'logs', _id: meta._id, status: 200, result: 'updated' } };
      });
      return { took: 2, errors: true, items };
    };
    const body = ndjson({ create: {} }, habitualLogon(1), { index: {} }, habitualLogon(2), { create: { _id: 'own' } }, habitualLogon(3));
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body });
    expect(res.status).toBe(200);
    const id = documentId('logs', JSON.stringify(habitualLogon(1)));
    expect(res.json.items[0]).toEqual({ create: { _index: 'logs', _id: id, status: 200, result: 'noop' } });
    expect(res.json.items[1].index.status).toBe(200);
    // A conflict on the shipper's own id is a real conflict: passed on as OpenSearch gave it.
    expect(res.json.items[2].create.status).toBe(409);
    expect(res.json.errors).toBe(true);
  });
});
