// The _bulk parser reads the action lines shippers write (`{"index":{"_id":"a1"}}`) without JSON.parse
// (src/server/bulk-ndjson.ts plainAction): what it reads must be what JSON.parse reads, the same action and the same
// metadata members in the same order (actionWithId writes them back in that order), and any line it cannot read
// exactly that way must go to JSON.parse instead.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBulk, plainAction } from '../src/server/bulk-ndjson.js';

const RUNS = Number(process.env.SEQSENTRY_FUZZ_RUNS ?? 2000);

/** JSON.parse's reading of an action line, in plainAction's shape, or null when it is not an object of one object. */
function parsedAction(line: string): { action: string; meta: Record<string, unknown> } | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  if (keys.length !== 1) return null;
  const meta = (v as Record<string, unknown>)[keys[0] as string];
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return null;
  return { action: keys[0] as string, meta: meta as Record<string, unknown> };
}

// Values near the edge of what the plain reading takes: quotes, backslashes, escapes, control characters, non-ASCII.
const value = fc.oneof(fc.string(), fc.constantFrom('', 'logs-a', 'e12', 'a"b', 'a\\b', '\\u0041', 'tab\there', 'nul\u0000', 'é中🙂', '\ud800', '\\"'));
const key = fc.constantFrom('_index', '_id', 'routing', '_ID', 'index');
const action = fc.constantFrom('index', 'create', 'update', 'delete', 'upsert', 'Index');
const member = fc.tuple(key, value).map(([k, v]) => `"${k}":"${v}"`);
const jsonMember = fc.tuple(key, value).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
const line = fc.oneof(
  fc.tuple(action, fc.array(fc.oneof(member, jsonMember), { maxLength: 3 })).map(([a, ms]) => `{"${a}":{${ms.join(',')}}}`),
  fc.tuple(action, fc.array(jsonMember, { maxLength: 3 }), fc.constantFrom(' ', '', '\t')).map(([a, ms, s]) => `{${s}"${a}"${s}:${s}{${ms.join(`,${s}`)}}${s}}`),
  fc.string(),
);

describe('plain action lines', () => {
  it('are read as JSON.parse reads them, members in the same order, or left to JSON.parse', () => {
    let taken = 0;
    fc.assert(
      fc.property(line, (text) => {
        const plain = plainAction(text);
        if (plain === null) return;
        taken += 1;
        const parsed = parsedAction(text);
        expect(parsed).not.toBeNull();
        expect(plain.action).toBe(parsed!.action);
        expect(Object.entries(plain.meta)).toEqual(Object.entries(parsed!.meta));
      }),
      { numRuns: RUNS },
    );
    // the generator reaches the plain reading often, not only the lines it leaves to JSON.parse
    expect(taken).toBeGreaterThan(RUNS / 20);
  });

  it('are the lines shippers write, and a line the plain reading leaves gives the same item through JSON.parse', () => {
    for (const text of ['{"index":{}}', '{"create":{"_id":"e1"}}', '{"index":{"_index":"logs-a","_id":"a1"}}', '{"delete":{"_id":"x","_index":"y"}}']) {
      expect(plainAction(text)).toEqual(parsedAction(text));
    }
    // a repeated key, an escape, a space, another member: JSON.parse reads these
    for (const text of ['{"index":{"_id":"a","_id":"b"}}', '{"index":{"_id":"\\u0041"}}', '{ "index":{}}', '{"index":{"routing":"r"}}']) {
      expect(plainAction(text)).toBeNull();
    }
    const items = parseBulk('{"index":{"_id":"a","_id":"b"}}\n{"x":1}\n{"create":{"_index":"i","_id":"c"}}\n{"x":2}\n', 'p');
    expect(items.map((it) => [it.action, it.index, it.meta])).toEqual([['index', 'p', { _id: 'b' }], ['create', 'i', { _index: 'i', _id: 'c' }]]);
  });
});
