// `seqsentry score` scores each event after the events that came before it in time, wherever they stand in the
// files: the same file shuffled, shuffled within 10-line windows, or cut into two files given in the wrong order
// gives every record the score it gets in time order.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreFiles } from '../src/commands/score.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

/** A seeded permutation of 0..n-1, shuffling only within consecutive windows of `window` positions. */
function shuffled(n: number, seed: number, window = n): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let start = 0; start < n; start += window) {
    for (let i = Math.min(n, start + window) - 1; i > start; i--) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const j = start + (x % (i - start + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  return order;
}

describe.runIf(hasSharedData() && hasPython())('score orders by event time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-order-'));
  // 5,000 real LANL logons: whole seconds, so thousands of same-second ties.
  const lines = readFileSync(shared('lanl', 'safekit-heads', 'day1_head_decoded.csv'), 'utf8').trim().split('\n').slice(1);
  let modelDir = '';
  let inOrder: Map<string, number[]>;

  /** Scores `files` (each a list of indices into `lines`); returns raw scores grouped by record text. */
  const scoreAs = async (name: string, files: number[][]) => {
    const inputs = files.map((idx, f) => {
      const path = join(dir, `${name}-${f}.csv`);
      writeFileSync(path, idx.map((i) => lines[i]).join('\n') + '\n');
      return path;
    });
    const output = join(dir, `${name}.jsonl`);
    const summary = await scoreFiles({ modelDir, inputs, output, format: 'lanl', strict: true, batchSize: 256 });
    expect(summary.scored).toBe(lines.length);
    const out = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; raw: number });
    // Output keeps input order: the k-th output line is the k-th record read, file after file.
    const read = files.flat();
    // Identical records (same second, same values) may trade their scores: compared as one group.
    const groups = new Map<string, number[]>();
    out.forEach((o, k) => {
      const text = lines[read[k]!]!;
      groups.set(text, [...(groups.get(text) ?? []), o.raw].sort((a, b) => a - b));
    });
    return groups;
  };

  beforeAll(async () => {
    modelDir = await lanlModel();
    inOrder = await scoreAs('ordered', [lines.map((_, i) => i)]);
  }, 600_000);

  it('has many same-second ties to break', () => {
    const times = new Set(lines.map((l) => l.split(',')[0]));
    expect(times.size).toBeLessThan(lines.length / 5);
    expect(inOrder.size).toBeGreaterThan(lines.length * 0.9);
  });

  it('gives a shuffled file the scores of the ordered one, record by record', async () => {
    expect(await scoreAs('shuffled', [shuffled(lines.length, 7)])).toEqual(inOrder);
  });

  it('gives a file shuffled within 10-line windows the same scores', async () => {
    expect(await scoreAs('jitter', [shuffled(lines.length, 3, 10)])).toEqual(inOrder);
  });

  it('gives two files given latest first the same scores', async () => {
    const all = lines.map((_, i) => i);
    const half = Math.floor(all.length / 2);
    expect(await scoreAs('reversed-files', [all.slice(half), all.slice(0, half)])).toEqual(inOrder);
  });
});
