// OpenSearch's bulk answer is parsed only where the proxy needs its items (src/server/bulk-forward.ts): an answer
// that begins `{"took":N,"errors":false,` (with `"ingest_took":N,` after a pipeline) says no item failed and goes
// back as it came; any other answer, or one of several parts, is parsed and lined up with the items as before.
import { describe, expect, it } from 'vitest';
import { answerItems, forwardInParts, type ForwardItem } from '../src/server/bulk-forward.js';
import type { BulkItem } from '../src/server/bulk-ndjson.js';
import type { ForwardResponse, OpenSearchHttp } from '../src/opensearch/http.js';

const items = (n: number): ForwardItem[] => Array.from({ length: n }, (_, i) => ({ item: { actionLine: 2 * i + 1 } as BulkItem, render: () => `{"index":{}}\n{"n":${i}}\n` }));
const created = { index: { _index: 'logs', _id: 'a', result: 'created', status: 201 } };
const failed = { index: { _index: 'logs', _id: 'b', status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse' } } };

/** An OpenSearch stand-in that answers each request with the next of `answers` (exact bytes). */
function answering(...answers: string[]): OpenSearchHttp {
  let next = 0;
  const request = async (): Promise<ForwardResponse> => ({ status: 200, contentType: 'application/json; charset=UTF-8', body: Buffer.from(answers[next++] as string) });
  return { request } as unknown as OpenSearchHttp;
}

const forward = (n: number, maxBytes: number, ...answers: string[]) => forwardInParts(items(n), { opensearch: answering(...answers), path: '/_bulk', headers: {}, maxBytes });

describe("OpenSearch's bulk answer", () => {
  it('is clean, unparsed, when it says "errors":false, with or without ingest_took', async () => {
    for (const answer of [`{"took":3,"errors":false,"items":[${JSON.stringify(created)},${JSON.stringify(created)}]}`, `{"took":30,"ingest_took":12,"errors":false,"items":[]}`]) {
      const outcome = await forward(2, 10_000, answer);
      if (outcome.kind !== 'answered') throw new Error(outcome.kind);
      expect(outcome.clean).toBe(true);
      expect(outcome.only?.body.toString()).toBe(answer);
    }
  });

  it('is parsed and lined up when an item failed', async () => {
    const answer = `{"took":3,"errors":true,"items":[${JSON.stringify(created)},${JSON.stringify(failed)}]}`;
    const outcome = await forward(2, 10_000, answer);
    if (outcome.kind !== 'answered') throw new Error(outcome.kind);
    expect(outcome.clean).toBe(false);
    expect(answerItems(outcome)).toEqual({ answers: [created, failed], took: 3 });
  });

  it('is parsed when its head is written another way (spaces, another key order): never taken for clean by mistake', async () => {
    for (const answer of [`{ "took": 3, "errors": false, "items": [${JSON.stringify(created)}] }`, `{"errors":false,"took":3,"items":[${JSON.stringify(created)}]}`]) {
      const outcome = await forward(1, 10_000, answer);
      if (outcome.kind !== 'answered') throw new Error(outcome.kind);
      expect(outcome.clean).toBe(false);
      expect(answerItems(outcome)).toEqual({ answers: [created], took: 3 });
    }
  });

  it('of several parts is lined up in order, took summed; one that does not list its items leaves none lined up', async () => {
    const part = (took: number, errors: boolean, ...its: object[]) => `{"took":${took},"errors":${errors},"items":[${its.map((i) => JSON.stringify(i)).join(',')}]}`;
    // each item is 23 bytes: two per part
    const outcome = await forward(3, 50, part(2, false, created, created), part(5, true, failed));
    if (outcome.kind !== 'answered') throw new Error(outcome.kind);
    expect(outcome.counts).toEqual([2, 1]);
    expect(outcome.only).toBeNull();
    expect(outcome.clean).toBe(false);
    expect(answerItems(outcome)).toEqual({ answers: [created, created, failed], took: 7 });
    const short = await forward(3, 50, part(2, false, created), part(5, false, created));
    if (short.kind !== 'answered') throw new Error(short.kind);
    expect(short.clean).toBe(true);
    expect(answerItems(short).answers).toBeNull();
  });
});
