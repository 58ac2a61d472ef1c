// Least privilege through the proxy: update, delete, hidden/system indices and indices outside the allowed
// patterns are refused per item (403 in the bulk response, in order) and never reach OpenSearch.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { answerEach, call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
let open: Sidecar;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(answerEach(req.body)));
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'bulk.index_patterns': ['logs-auth-*'] });
  open = await startTestSidecar({ 'opensearch.url': upstream.url, 'bulk.allowed_actions': ['index', 'create', 'update', 'delete'] });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await open?.shutdown();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

describe('bulk proxy least privilege', () => {
  it('refuses update, delete, hidden and unlisted indices per item, in order, and forwards only the rest', async () => {
    const body = ndjson(
      { index: { _index: 'logs-auth-1' } }, habitualLogon(1),
      { update: { _index: 'logs-auth-1', _id: 'x' } }, '{"doc":{"anomaly_score":0}}',
      { delete: { _index: 'logs-auth-1', _id: 'y' } },
      { index: { _index: '.seqsentry-state', _id: 'checkpoint' } }, '{"scored":1}',
      { create: { _index: '.plugins-ml-model' } }, '{"x":1}',
      { index: { _index: 'other-index' } }, habitualLogon(2),
      { create: { _index: 'logs-auth-2' } }, habitualLogon(3),
    );
    const res = await call(sidecar.url, 'POST', '/_bulk', { body });
    expect(res.status).toBe(200);
    const forwarded = upstream.requests[0]!.body.split('\n').filter((l) => l !== '');
    expect(forwarded.filter((_, i) => i % 2 === 0).map((l) => l.replace(/,"_id":"[\w-]{43}"/, ''))).toEqual(['{"index":{"_index":"logs-auth-1"}}', '{"create":{"_index":"logs-auth-2"}}']);
    const answer = res.json as { errors: boolean; items: Record<string, { status: number; _index: string; error?: { type: string; reason: string } }>[] };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((it) => Object.keys(it)[0])).toEqual(['index', 'update', 'delete', 'index', 'create', 'index', 'create']);
    expect(answer.items.map((it) => Object.values(it)[0]!.status)).toEqual([201, 403, 403, 403, 403, 403, 201]);
    const reasons = answer.items.map((it) => Object.values(it)[0]!.error?.reason ?? '');
    expect(reasons[1]).toMatch(/action \[update\] is not allowed/);
    expect(reasons[2]).toMatch(/action \[delete\] is not allowed/);
    expect(reasons[3]).toMatch(/system or hidden index/);
    expect(reasons[4]).toMatch(/system or hidden index/);
    expect(reasons[5]).toMatch(/matches none of the allowed index patterns \(logs-auth-\*\)/);
    expect(Object.values(answer.items[1]!)[0]!.error!.type).toBe('security_exception');
  });

  it('answers a bulk whose every item is refused without calling OpenSearch', async () => {
    const res = await call(sidecar.url, 'POST', '/_bulk', { body: ndjson({ delete: { _index: 'logs-auth-1', _id: 'y' } }) });
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(0);
    expect(res.json).toMatchObject({ errors: true, items: [{ delete: { status: 403, error: { type: 'security_exception' } } }] });
  });

  it('refuses date math and remote-cluster names, which OpenSearch would resolve past the hidden-index rule', async () => {
    // <.seqsentry-state> resolves to .seqsentry-state; the default policy allows every non-hidden name.
    const body = ndjson(
      { index: { _index: '<.seqsentry-state>' } }, '{"x":1}',
      { index: { _index: '<logs-{now/d}>' } }, habitualLogon(1),
      { index: { _index: 'other:logs-a' } }, habitualLogon(2),
      { index: { _index: 'logs-a' } }, habitualLogon(3),
    );
    const res = await call(open.url, 'POST', '/_bulk', { body });
    const forwarded = upstream.requests[0]!.body.split('\n').filter((l) => l !== '');
    expect(forwarded.filter((_, i) => i % 2 === 0).map((l) => l.replace(/,"_id":"[\w-]{43}"/, ''))).toEqual(['{"index":{"_index":"logs-a"}}']);
    const items = res.json.items.map((it: Record<string, { status: number; error?: { reason: string } }>) => Object.values(it)[0]!);
    expect(items.map((it: { status: number }) => it.status)).toEqual([403, 403, 403, 201]);
    expect(items[0].error.reason).toMatch(/date math/);
    expect(items[1].error.reason).toMatch(/date math/);
    expect(items[2].error.reason).toMatch(/remote cluster/);
    // The same name in the path (URL-encoded, as a client sends it) is refused the same way, and nothing is sent.
    upstream.requests.length = 0;
    const inPath = await call(open.url, 'POST', '/%3C.seqsentry-state%3E/_bulk', { body: ndjson({ index: {} }, '{"x":1}') });
    expect(upstream.requests).toHaveLength(0);
    expect(inPath.json).toMatchObject({ errors: true, items: [{ index: { status: 403, error: { type: 'security_exception' } } }] });
  });

  it('answers a shipper\'s filter_path that leaves out the items, instead of a 502 after the write', async () => {
    const body = ndjson({ index: { _index: 'logs-auth-1' } }, habitualLogon(1), { delete: { _index: 'logs-auth-1', _id: 'y' } });
    for (const [filter, keys] of [['errors', ['errors']], ['-items', ['took', 'errors']], ['errors,items.*.status', ['errors', 'items']]] as const) {
      upstream.requests.length = 0;
      const res = await call(sidecar.url, 'POST', `/_bulk?filter_path=${encodeURIComponent(filter)}&refresh=false`, { body });
      expect(res.status, filter).toBe(200);
      expect(Object.keys(res.json), filter).toEqual(keys);
      expect(res.json.errors, filter).toBe(true);
      // OpenSearch is asked for what lines its answer up with the items, the shipper's own includes kept
      const forwarded = new URL(upstream.requests[0]!.url, 'http://x').searchParams;
      expect(forwarded.get('refresh')).toBe('false');
      const paths = forwarded.get('filter_path')!.split(',');
      expect(paths).toEqual(expect.arrayContaining(['errors', 'items.*.status', 'items.*.error']));
      expect(paths.some((p) => p.startsWith('-'))).toBe(false);
    }
  });

  it('forwards update and delete when the config allows them, but never to a hidden index', async () => {
    const body = ndjson({ update: { _index: 'logs-a', _id: 'u1' } }, '{"doc":{"status":"closed"}}', { delete: { _index: 'logs-a', _id: 'd1' } }, { delete: { _index: '.seqsentry-state', _id: 'c' } });
    const res = await call(open.url, 'POST', '/_bulk', { body });
    const forwarded = upstream.requests[0]!.body.split('\n').filter((l) => l !== '');
    expect(forwarded).toEqual(['{"update":{"_index":"logs-a","_id":"u1"}}', '{"doc":{"status":"closed"}}', '{"delete":{"_index":"logs-a","_id":"d1"}}']);
    expect(res.json.items.map((it: Record<string, { status: number }>) => Object.values(it)[0]!.status)).toEqual([201, 201, 403]);
  });
});
