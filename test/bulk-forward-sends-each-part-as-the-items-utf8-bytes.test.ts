// The proxy encodes each forwarded item to UTF-8 once, into the buffer of the part it goes in (src/server/bulk-forward.ts):
// every part must be byte for byte what joining the items' text and encoding it wrote before, split at the same
// items, for any text (multi-byte characters, lone surrogates) and any request limit, also when items outgrow the
// buffer or the item that did not fit moves to the next part. Items end with their line end, as the proxy renders
// them, so no surrogate pair can form across two of them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardInParts, type ForwardItem } from '../src/server/bulk-forward.js';
import type { BulkItem } from '../src/server/bulk-ndjson.js';
import type { ForwardRequest, ForwardResponse, OpenSearchHttp } from '../src/opensearch/http.js';

const RUNS = Number(process.env.SEQSENTRY_FUZZ_RUNS ?? 500);

/** What the proxy sent before: parts packed by each item's byteLength, the part's texts joined, encoded as a whole. */
function joinedParts(texts: readonly string[], maxBytes: number): { parts: Buffer[]; tooLarge: number[] } {
  const parts: Buffer[] = [];
  const tooLarge: number[] = [];
  let part: string[] = [];
  let bytes = 0;
  texts.forEach((text, i) => {
    const size = Buffer.byteLength(text);
    if (size > maxBytes) return void tooLarge.push(i);
    if (bytes + size > maxBytes) {
      parts.push(Buffer.from(part.join('')));
      part = [];
      bytes = 0;
    }
    part.push(text);
    bytes += size;
  });
  if (part.length) parts.push(Buffer.from(part.join('')));
  return { parts, tooLarge };
}

/** Records each request body and answers a clean bulk answer for its items. */
function recorder(): { http: OpenSearchHttp; bodies: Buffer[] } {
  const bodies: Buffer[] = [];
  const request = async (req: ForwardRequest): Promise<ForwardResponse> => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body ?? '');
    bodies.push(body);
    const items = body.toString('utf8').split('\n').filter((l, i) => i % 2 === 0 && l !== '').map(() => ({ index: { status: 201 } }));
    return { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify({ took: 1, errors: false, items })) };
  };
  return { http: { request } as unknown as OpenSearchHttp, bodies };
}

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('é ü 中文 🙂', '\ud800', '\udc00x', 'a\ud83d'));
const doc = text.map((v) => `{"action":{}}\n{"v":${JSON.stringify(v).replace(/\\u[dD][89abAB][0-9a-fA-F]{2}/g, '\ud83d')}}\n`);

/** Forwards `texts` as items within `maxBytes` and holds the parts to the joined text's bytes. */
async function sameAsJoined(texts: readonly string[], maxBytes: number): Promise<void> {
  const { http, bodies } = recorder();
  const items: ForwardItem[] = texts.map((t, i) => ({ item: { actionLine: i + 1 } as BulkItem, render: () => t }));
  const outcome = await forwardInParts(items, { opensearch: http, path: '/_bulk', headers: {}, maxBytes });
  const expected = joinedParts(texts, maxBytes);
  expect(bodies.map((b) => b.toString('hex'))).toEqual(expected.parts.map((b) => b.toString('hex')));
  expect(outcome.tooLarge.map((it) => it.actionLine - 1)).toEqual(expected.tooLarge);
  for (const body of bodies) expect(body.length).toBeLessThanOrEqual(maxBytes);
}

describe('forwarded parts', () => {
  it('are the UTF-8 bytes of the items joined, split where the byte counts of the items said', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(doc, text.map((v) => `${v}\n`)), { minLength: 1, maxLength: 30 }), fc.integer({ min: 8, max: 400 }), sameAsJoined),
      { numRuns: RUNS },
    );
  });

  it('are the same when items are larger than the part buffer starts (64 KiB)', async () => {
    // items of up to 40,000 units of up to 4 bytes each: the buffer grows, and parts of several items split
    const big = fc.tuple(fc.constantFrom('a', 'é', '中', '🙂', '\ud800'), fc.integer({ min: 1, max: 40_000 })).map(([c, n]) => `${c.repeat(n)}\n`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(big, doc), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1_000, max: 300_000 }), sameAsJoined),
      { numRuns: Math.max(20, RUNS / 10) },
    );
  });
});
