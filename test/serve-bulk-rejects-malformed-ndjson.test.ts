// A _bulk body with a malformed line is refused whole with a 400 naming the line; nothing reaches OpenSearch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
const doc = habitualLogon(1);

beforeAll(async () => {
  upstream = await startUpstream();
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

const cases: Array<[name: string, body: string, reason: RegExp]> = [
  ['a source line that is not JSON', ndjson({ index: { _index: 'logs' } }, doc, { index: {} }, '{"user": '), /^Malformed source line \[4\] of the \[index\] action on line \[3\]: not JSON/],
  ['an action line that is not JSON', ndjson({ index: {} }, doc, 'index logs'), /^Malformed action\/metadata line \[3\]: not JSON/],
  ['an index action without a source', ndjson({ index: { _index: 'logs' } }, doc, { create: { _index: 'logs' } }), /^Action\/metadata line \[3\] has no source line: \[create\] needs the document on line \[4\]/],
  ['an unknown action', ndjson({ upsert: { _index: 'logs' } }, doc), /^Malformed action\/metadata line \[1\], expected field \[create\], \[delete\], \[index\] or \[update\] but found \[upsert\]/],
  ['an action line with two actions', ndjson({ index: {}, delete: {} }, doc), /^Malformed action\/metadata line \[1\], expected an object with one field/],
  ['a source that is not an object', ndjson({ index: { _index: 'logs' } }, '[1,2]'), /^Source line \[2\] of the \[index\] action on line \[1\] must be a JSON object/],
  ['an empty body', '\n\n', /^Validation Failed: 1: no requests added;/],
];

describe('POST /_bulk with malformed NDJSON', () => {
  for (const [name, body, reason] of cases) {
    it(`refuses ${name} with an OpenSearch-style 400 and forwards nothing`, async () => {
      const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body, headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status).toBe(400);
      expect(res.json.status).toBe(400);
      expect(res.json.error.reason).toMatch(reason);
      expect(res.json.error.root_cause[0].reason).toBe(res.json.error.reason);
      expect(upstream.requests).toHaveLength(0);
    });
  }

  it('tolerates CRLF line ends, blank lines between items and a missing final newline', async () => {
    const body = `{"index":{"_index":"logs"}}\r\n${JSON.stringify(doc)}\r\n\r\n{"create":{"_index":"logs","_id":"9"}}\r\n${JSON.stringify(doc)}`;
    const res = await call(sidecar.url, 'POST', '/_bulk', { body });
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    const lines = upstream.requests[0]!.body.split('\n');
    expect(lines).toHaveLength(5); // action, source, action, source, final ''
    expect(lines[2]).toBe('{"create":{"_index":"logs","_id":"9"}}');
    expect(JSON.parse(lines[3]!).anomaly_score).toBeTypeOf('number');
  });
});
