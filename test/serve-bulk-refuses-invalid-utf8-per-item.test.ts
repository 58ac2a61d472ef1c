// A bulk line that is not valid UTF-8 is refused for its item alone (400, located), never rewritten to U+FFFD.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const n = req.body.split('\n').filter((l) => l !== '').length / 2;
    const items = Array.from({ length: n }, () => ({ index: { _index: 'logs', status: 201 } }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: false, items }));
  });
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

describe('bulk proxy and invalid UTF-8', () => {
  it('refuses the bad source line and the bad index name per item and forwards the valid neighbours', async () => {
    const good = JSON.stringify(habitualLogon(1));
    const badDoc = Buffer.concat([Buffer.from('{"user":{"name":"u'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const badIndex = Buffer.concat([Buffer.from('{"index":{"_index":"logs-'), Buffer.from([0xc3]), Buffer.from('"}}')]);
    const body = Buffer.concat([
      Buffer.from(`{"index":{"_index":"logs"}}\n${good}\n{"index":{"_index":"logs"}}\n`), badDoc, Buffer.from('\n'),
      badIndex, Buffer.from(`\n${good}\n{"index":{"_index":"logs"}}\n${good}\n`),
    ]);
    const res = await call(sidecar.url, 'POST', '/_bulk', { body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const forwarded = upstream.requests[0]!.body;
    expect(forwarded).not.toContain('\ufffd');
    expect(forwarded.split('\n').filter((l) => l !== '')).toHaveLength(4);
    const statuses = res.json.items.map((it: Record<string, { status: number }>) => Object.values(it)[0]!.status);
    expect(statuses).toEqual([201, 400, 400, 201]);
    expect(res.json.items[1].index.error).toEqual({ type: 'mapper_parsing_exception', reason: expect.stringMatching(/^_bulk:4: the line is not valid UTF-8/) });
    expect(res.json.items[2].index.error.reason).toMatch(/^_bulk:5: /);
  });

  it('reads a body that starts with a byte order mark the same when another line is not UTF-8', async () => {
    // The mark is dropped as the strict decoder drops it, so the first action line still parses.
    const good = JSON.stringify(habitualLogon(2));
    const badDoc = Buffer.concat([Buffer.from('{"user":{"name":"u'), Buffer.from([0xff]), Buffer.from('"}}')]);
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"index":{"_index":"logs"}}\n${good}\n{"index":{"_index":"logs"}}\n`), badDoc, Buffer.from('\n')]);
    const res = await call(sidecar.url, 'POST', '/_bulk', { body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    expect(res.json.items.map((it: Record<string, { status: number }>) => Object.values(it)[0]!.status)).toEqual([201, 400]);
    expect(upstream.requests[0]!.body.split('\n').filter((l) => l !== '')).toHaveLength(2);
  });
});
