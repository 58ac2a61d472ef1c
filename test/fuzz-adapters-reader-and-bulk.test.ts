// Property-based fuzzing (fast-check) of what hostile input reaches first: the adapters, the file reader, the _bulk
// NDJSON parser and the anomaly-field splice. CI-sized here; SEQSENTRY_FUZZ_RUNS=N runs the long mode, and every
// property prints the inputs it tried. A property fails on any crash other than the located errors the code means.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRecords, newReadStats } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { AdapterError, MAX_REASON_CHARS } from '../src/core/errors.js';
import { withAnomalyFields } from '../src/server/anomaly-json.js';
import { decodeBulkBody, parseBulk } from '../src/server/bulk-ndjson.js';
import { HttpError } from '../src/server/http-errors.js';
import { anomalyFields } from '../src/service/anomaly-fields.js';
import { ecsDocs } from './support/ecs-fixture.js';

const RUNS = Number(process.env.SEQSENTRY_FUZZ_RUNS ?? 300);
/** The long mode runs for as long as it needs. */
const TIMEOUT = RUNS > 1000 ? 3_600_000 : 120_000;
const src = { file: 'fuzz', line: 7 };
const tried: Record<string, number> = {};
const check = <T>(name: string, arb: fc.Arbitrary<T>, property: (v: T) => void | Promise<void>, runs = RUNS) => {
  tried[name] = 0;
  return fc.assert(
    fc.asyncProperty(arb, async (v) => {
      tried[name]! += 1;
      await property(v);
    }),
    { numRuns: runs, seed: Number(process.env.SEQSENTRY_FUZZ_SEED ?? 20261203), endOnFailure: process.env.SEQSENTRY_FUZZ_NO_SHRINK === '1' },
  );
};

/** Reasons quote the input: bounded, whatever the input. */
const MAX_MESSAGE = MAX_REASON_CHARS + 200;

/** Parses or refuses with a located AdapterError; anything else thrown is a bug. */
function parseOrRefuse(adapterName: string, record: string | Record<string, unknown>): void {
  const adapter = createAdapter(adapterName);
  try {
    const e = adapter.parse(record, src);
    if (e === null) return;
    expect(Number.isFinite(e.time)).toBe(true);
    expect(e.fields).toHaveLength(adapter.fieldNames.length);
    for (const f of e.fields) expect(typeof f).toBe('string');
  } catch (err) {
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as AdapterError).line).toBe(7);
    expect((err as Error).message.length).toBeLessThan(MAX_MESSAGE);
  }
}

const lanlLine = fc.tuple(fc.oneof(fc.nat().map(String), fc.string()), fc.array(fc.oneof(fc.constantFrom('U1@D', 'C1', 'NTLM', '?', '', 'LogOn', 'Success'), fc.string()), { minLength: 0, maxLength: 11 }))
  .map(([t, cols]) => [t, ...cols].join(','));

/** A real ECS document with random parts replaced, deleted or retyped. */
const base = ecsDocs({ users: 2, days: 1, perDay: 2 });
const mutatedEcs = fc.tuple(fc.constantFrom(...base), fc.array(fc.tuple(fc.constantFrom('@timestamp', 'user', 'user.name', 'source', 'source.ip', 'host', 'host.name', 'event', 'event.outcome', 'winlog', '_source'), fc.jsonValue()), { maxLength: 4 }))
  .map(([doc, edits]) => {
    const d = structuredClone(doc) as Record<string, unknown>;
    for (const [path, value] of edits) {
      const [head, tail] = path.split('.') as [string, string | undefined];
      if (tail && d[head] && typeof d[head] === 'object') (d[head] as Record<string, unknown>)[tail] = value;
      else d[head] = value;
    }
    return d;
  });

describe('fuzz', { timeout: TIMEOUT }, () => {
  it('the LANL adapter parses or refuses with a located, bounded error', () =>
    check('lanl lines', fc.oneof(lanlLine, fc.string({ unit: 'binary' })), (line) => parseOrRefuse('lanl', line)));

  it('the ECS adapter parses or refuses mutated documents and arbitrary JSON', () =>
    check('ecs documents', fc.oneof(mutatedEcs, fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string()), (doc) =>
      parseOrRefuse('ecs', doc as string | Record<string, unknown>)));

  it('the file reader gives every line its own item, in order, whatever the bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-fuzz-'));
    let n = 0;
    await check('files', fc.array(fc.oneof(lanlLine, fc.string({ unit: 'binary' }), fc.constantFrom('', '  ', '\r', 'a\rb')), { maxLength: 30 }), async (lines) => {
      const file = join(dir, `f${n++}.csv`);
      const text = lines.join('\n') + '\n';
      writeFileSync(file, text);
      const stats = newReadStats();
      const numbers: number[] = [];
      for await (const item of readRecords([file], createAdapter('lanl'), stats)) numbers.push(item.source.line);
      // every line has an item, except header lines (the adapter's null), which are counted as skipped
      const expected = text.slice(0, -1).split('\n').length;
      expect(stats.records).toBe(expected);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers.every((l) => l >= 1 && l <= expected)).toBe(true);
    }, Math.max(50, Math.floor(RUNS / 3)));
  });

  it('the _bulk parser accepts a body or refuses it with a 400 naming a line', () =>
    check('bulk bodies', fc.array(fc.oneof(
      fc.constantFrom('{"index":{}}', '{"create":{"_index":"logs"}}', '{"delete":{"_id":"1"}}', '{"update":{"_id":"2"}}', '', '\r', '{}', '[]', 'null'),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
    ), { maxLength: 12 }), (lines) => {
      const { text } = decodeBulkBody(Buffer.from(lines.join('\n') + '\n'));
      try {
        const items = parseBulk(text, 'logs');
        for (const it of items) {
          expect(it.actionLine).toBeGreaterThan(0);
          if (it.action !== 'delete') expect(it.source?.line).toBe(it.actionLine + 1);
        }
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(400);
      }
    }));

  it('the anomaly-field splice keeps every member of the document and yields valid JSON', () =>
    check('splices', fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('anomaly', 'anomaly_score', 'anomaly.x')), fc.jsonValue(), { maxKeys: 8 }), (doc) => {
      const text = JSON.stringify(doc);
      const fields = anomalyFields({ anomaly_score: 0.5, raw: 1, is_anomaly: false, fields: [] }, { name: 'm', version: '1', kind: 'k' }, 0.9, '2026-01-01T00:00:00.000Z');
      const out = JSON.parse(withAnomalyFields(text, doc, fields)) as Record<string, unknown>;
      for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, unknown>)) if (!(k === 'anomaly' || k === 'anomaly_score' || k.startsWith('anomaly.'))) expect(out[k]).toEqual(v);
      expect(out.anomaly_score).toBe(0.5);
    }));

  it('reports the inputs tried', () => {
    process.stdout.write(`fuzz inputs tried: ${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(', ')}; failures: 0\n`);
    for (const v of Object.values(tried)) expect(v).toBeGreaterThan(0);
  });
});
