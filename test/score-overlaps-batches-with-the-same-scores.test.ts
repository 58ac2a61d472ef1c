// `score` overlaps its stages: while the ONNX worker scores one batch, the main thread reads the next and writes the
// one before. The output must be exactly what scoring the same batches one after another gives: same order, same
// scores to the last bit, and the compact form (below --explain-above) must not change a score either.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import { scoreFiles } from '../src/commands/score.js';
import { Scorer } from '../src/scorer/scorer.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

interface Line { line: number; anomaly_score?: number; raw?: number; fields?: { field: string; value: string; surprisal?: number }[]; components?: { name: string }[] }

describe.runIf(hasSharedData() && hasPython())('score with overlapped batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-overlap-'));
  const input = join(dir, 'day2.csv');
  let modelDir = '';
  beforeAll(async () => {
    modelDir = await lanlModel();
    // A bad line in the middle keeps its place between batches.
    const lines = readFileSync(shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), 'utf8').trim().split('\n');
    lines.splice(700, 0, 'not,a,lanl,line');
    writeFileSync(input, lines.join('\n') + '\n');
  }, 600_000);

  const read = (name: string): Line[] => readFileSync(join(dir, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

  it('writes the scores of batches scored one after another, in input order', async () => {
    const batchSize = 64;
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'overlapped.jsonl'), format: 'lanl', strict: false, batchSize });
    const got = read('overlapped.jsonl');

    // The same batches, one at a time, straight through the scorer.
    const scorer = await Scorer.load(modelDir, { maxBatch: batchSize, keepAllHistory: true });
    const events = [];
    for await (const item of readEvents([input], createAdapter('lanl'))) if (item.event) events.push(item.event);
    scorer.remember(events, undefined, events.map((_, i) => i));
    const expected = [];
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      expected.push(...(await scorer.score(batch, undefined, batch.map((_, k) => i + k))));
    }
    await scorer.close();

    const scored = got.filter((l) => l.anomaly_score !== undefined);
    // Line 1 is the header (no output line); the bad line is 701.
    expect(got.map((l) => l.line)).toEqual(got.map((_, i) => i + 2));
    expect(got[699]).toMatchObject({ line: 701, error: expect.any(String) });
    expect(scored).toHaveLength(events.length);
    expect(events.length).toBeGreaterThan(10 * batchSize);
    scored.forEach((l, i) => {
      expect(l.raw).toBe(expected[i]!.raw);
      expect(l.anomaly_score).toBe(expected[i]!.anomaly_score);
      expect(l.fields).toEqual(expected[i]!.fields);
    });
  });

  it('gives the compact form the same scores, top field and top component as the full form', async () => {
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'full.jsonl'), format: 'lanl', strict: false, batchSize: 256 });
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'compact.jsonl'), format: 'lanl', strict: false, batchSize: 256, explainAbove: 0.95 });
    const full = read('full.jsonl');
    const compact = read('compact.jsonl');
    expect(compact).toHaveLength(full.length);
    let below = 0;
    compact.forEach((c, i) => {
      const f = full[i]!;
      expect(c.raw).toBe(f.raw);
      expect(c.anomaly_score).toBe(f.anomaly_score);
      if (c.anomaly_score === undefined) return;
      if (c.anomaly_score < 0.95) {
        below += 1;
        expect(c.fields).toEqual([{ field: f.fields![0]!.field, value: f.fields![0]!.value }]);
        expect(c.components).toEqual([f.components![0]]);
      } else {
        expect(c).toEqual(f);
      }
    });
    expect(below).toBeGreaterThan(100);
  });
});
