// A _bulk body with a malformed action line is refused whole with a 400 naming the line; nothing reaches OpenSearch.
// A source line that cannot be a document fails only its own item, as OpenSearch fails it (checked against a real
// node: 400 mapper_parsing_exception at its place for a line that is not JSON, an array, a string, a number, null, or
// two objects on one line), and its neighbours are scored and forwarded.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { answerEach, call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
const doc = habitualLogon(1);

beforeAll(async () => {
  upstream = await startUpstream((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(answerEach(req.body)));
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

const cases: Array<[name: string, body: string, reason: RegExp]> = [
  ['an action line that is not JSON', ndjson({ index: {} }, doc, 'index logs'), /^Malformed action\/metadata line \[3\]: not JSON/],
  ['an index action without a source', ndjson({ index: { _index: 'logs' } }, doc, { create: { _index: 'logs' } }), /^Action\/metadata line \[3\] has no source line: \[create\] needs the document on line \[4\]/],
  ['an unknown action', ndjson({ upsert: { _index: 'logs' } }, doc), /^Malformed action\/metadata line \[1\], expected field \[create\], \[delete\], \[index\] or \[update\] but found \[upsert\]/],
  ['an action line with two actions', ndjson({ index: {}, delete: {} }, doc), /^Malformed action\/metadata line \[1\], expected an object with one field/],
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

  it('fails only the items whose source line is not a JSON object, and forwards their neighbours scored', async () => {
    const bad = ['{"message": broken}', '[1,2]', '"str"', '42', 'null', '{"a":1}{"b":2}'];
    const body = ndjson({ index: {} }, doc, ...bad.flatMap((line) => [{ index: {} }, line]), { create: {} }, habitualLogon(2));
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    const forwarded = upstream.requests[0]!.body.split('\n').filter((l) => l !== '');
    expect(forwarded).toHaveLength(4); // the first and the last item, each action and source
    expect(JSON.parse(forwarded[1]!).anomaly_score).toBeTypeOf('number');
    expect(JSON.parse(forwarded[3]!).anomaly_score).toBeTypeOf('number');
    const items = res.json.items.map((it: Record<string, { status: number; error?: { type: string; reason: string } }>) => Object.values(it)[0]!);
    expect(items).toHaveLength(8);
    expect(res.json.errors).toBe(true);
    expect(items[0].status).toBe(201);
    expect(items[7].status).toBe(201);
    for (let k = 1; k <= 6; k++) {
      expect(items[k].status, bad[k - 1]).toBe(400);
      expect(items[k].error.type).toBe('mapper_parsing_exception');
      // located: the source line's number in the request, and the action's
      expect(items[k].error.reason).toMatch(new RegExp(`^_bulk:${2 * k + 2}: the source line of the \\[index\\] action on line \\[${2 * k + 1}\\]`));
    }
    expect(items[1].error.reason).toMatch(/is not JSON/);
    expect(items[2].error.reason).toMatch(/must be a JSON object/);
  });

  it('answers a bulk whose only items have unreadable sources without calling OpenSearch', async () => {
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, '{"user": ') });
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(0);
    expect(res.json).toMatchObject({ errors: true, items: [{ index: { status: 400, error: { type: 'mapper_parsing_exception' } } }] });
  });

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

describe('POST /_bulk over bulk.max_items', () => {
  it('refuses a bulk of more items than the limit whole with 413, before scoring or forwarding any', async () => {
    const small = await startTestSidecar({ 'opensearch.url': upstream.url, 'bulk.max_items': 5 });
    try {
      const items = (n: number) => ndjson(...Array.from({ length: n }, (_, i) => [{ index: { _index: 'logs' } }, habitualLogon(i)]).flat());
      const over = await call(small.url, 'POST', '/_bulk', { body: items(6) });
      expect(over.status).toBe(413);
      expect(over.json.error.type).toBe('content_too_long_exception');
      expect(over.json.error.reason).toMatch(/more than 5 items \(bulk\.max_items; item 6 starts on line \[11\]\)/);
      expect(upstream.requests).toHaveLength(0);
      expect((await call(small.url, 'POST', '/_bulk', { body: items(5) })).status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
    } finally {
      await small.shutdown();
    }
  });
});
