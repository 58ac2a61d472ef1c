// The _bulk proxy adds anomaly fields to index/create documents, leaves update/delete alone, forwards the query
// string and hands OpenSearch's answer back untouched.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentId } from '../src/server/bulk-ids.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon, outOfHabitLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, TOKEN, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
let reply = { status: 200, body: '{"took":3,"errors":false,"items":[]}' };

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => void res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8' }).end(reply.body));
  // bulk.overwrite: an `index` of a shipper's _id goes as sent (without it, as a `create`: bulk-proxy-adds-events-and-replaces-none.os.test.ts)
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'opensearch.username': 'proxy', 'opensearch.password': 'secret', 'bulk.overwrite': true });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  reply = { status: 200, body: '{"took":3,"errors":false,"items":[]}' };
});

const forwardedLines = () => upstream.requests[0]!.body.split('\n').slice(0, -1);

describe('POST /_bulk enrichment proxy', () => {
  it('adds anomaly_score and anomaly.* to index and create documents, keeping the original bytes', async () => {
    const original = '{ "@timestamp": "2026-01-12T10:00:00Z", "user": {"name": "user04"}, "host": {"name": "fs01"}, "note": "spaces kept" }';
    const body = ndjson({ index: { _index: 'logs-a', _id: 'a1' } }, original, { create: { _index: 'logs-b' } }, outOfHabitLogon(4), { index: { _index: 'logs-a' } }, '{}');
    const res = await call(sidecar.url, 'POST', '/_bulk', { body });
    expect(res.status).toBe(200);
    const lines = forwardedLines();
    expect(lines[0]).toBe('{"index":{"_index":"logs-a","_id":"a1"}}');
    expect(lines[1]!.startsWith(original.slice(0, -2))).toBe(true);
    const first = JSON.parse(lines[1]!);
    expect(first.note).toBe('spaces kept');
    expect(first.anomaly_score).toBeGreaterThanOrEqual(0);
    expect(first.anomaly).toMatchObject({ raw: expect.any(Number), threshold: expect.any(Number), is_anomaly: expect.any(Boolean), scored_at: expect.any(String), model: { kind: 'transformer-mlm' } });
    expect(first.anomaly.fields[0]).toMatchObject({ name: expect.any(String), surprisal: expect.any(Number) });
    expect(JSON.parse(lines[3]!).anomaly_score).toBeTypeOf('number');
    // `{}` cannot be read by the adapter: forwarded, with the reason located at its line in the request.
    expect(JSON.parse(lines[5]!)).toEqual({ anomaly: { model: first.anomaly.model, scored_at: expect.any(String), error: expect.stringMatching(/^_bulk:6: /) } });
  });

  it('uses the index in the path and passes the query string on', async () => {
    const body = ndjson({ index: {} }, habitualLogon(2));
    reply = { status: 200, body: '{"took":1,"errors":false,"items":[{"index":{"_index":"logs-c","status":201}}]}' };
    const res = await call(sidecar.url, 'POST', '/logs-c/_bulk?refresh=wait_for&pipeline=p1', { body });
    expect(res.status).toBe(200);
    expect(upstream.requests[0]!.url).toBe('/logs-c/_bulk?refresh=wait_for&pipeline=p1');
    // No _id: the proxy gives it the document's fingerprint (bulk.deterministic_ids), so a retry overwrites it.
    expect(forwardedLines()[0]).toBe(`{"index":{"_id":"${documentId('logs-c', JSON.stringify(habitualLogon(2)))}"}}`);
    expect(JSON.parse(forwardedLines()[1]!).anomaly_score).toBeTypeOf('number');
  });

  it('replaces anomaly fields a document already carries instead of duplicating keys', async () => {
    const stale = { ...habitualLogon(3), anomaly_score: 0.5, anomaly: { raw: 1 }, 'anomaly.error': 'old' };
    await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, stale) });
    const line = forwardedLines()[1]!;
    expect(line.match(/"anomaly_score"/g)).toHaveLength(1);
    const doc = JSON.parse(line);
    expect(doc['anomaly.error']).toBeUndefined();
    expect(doc.anomaly_score).not.toBe(0.5);
  });

  it("passes OpenSearch's status and body through as is, per-item errors included", async () => {
    reply = { status: 200, body: '{"took":1,"errors":true,"items":[{"index":{"_index":"logs","status":400,"error":{"type":"mapper_parsing_exception"}}}]}' };
    const ok = await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1)) });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe(reply.body);
    reply = { status: 429, body: '{"error":{"type":"es_rejected_execution_exception"},"status":429}' };
    const busy = await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1)) });
    expect(busy.status).toBe(429);
    expect(busy.text).toBe(reply.body);
    reply = { status: 503, body: '{"error":"unavailable"}' };
    expect((await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1)) })).status).toBe(503);
  });

  it("authenticates to OpenSearch with its own credentials, never the shipper's token", async () => {
    await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1)), headers: { 'x-opaque-id': 'ship-1' } });
    const headers = upstream.requests[0]!.headers;
    expect(headers.authorization).toBe(`Basic ${Buffer.from('proxy:secret').toString('base64')}`);
    expect(JSON.stringify(headers)).not.toContain(TOKEN);
    expect(headers['content-type']).toBe('application/x-ndjson');
    expect(headers['x-opaque-id']).toBe('ship-1');
  });

  it('reads gzip-compressed bulk bodies', async () => {
    const body = gzipSync(ndjson({ index: { _index: 'logs' } }, habitualLogon(6)));
    const res = await call(sidecar.url, 'POST', '/_bulk', { body, headers: { 'content-encoding': 'gzip', 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(forwardedLines()[1]!).anomaly_score).toBeTypeOf('number');
  });

  it('counts scored and unscored documents', async () => {
    await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1), { index: {} }, { no: 'time' }) });
    const metrics = (await call(sidecar.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/^seqsentry_events_scored_total\{route="\/_bulk"\} \d+$/m);
    expect(metrics).toMatch(/^seqsentry_events_unscored_total\{route="\/_bulk"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^seqsentry_errors_total\{kind="adapter"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^seqsentry_forward_duration_seconds_count [1-9]\d*$/m);
  });
});
