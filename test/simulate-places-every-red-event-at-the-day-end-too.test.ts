// m05 seed 2 of the detection matrix failed to simulate once the red team's logoffs became cover records: a red-team
// event at its day's last second shared its label key with one, and could move only forward. It moves back now.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTION_MATRIX, matrixOptions } from '../src/sim/matrix.js';
import { simulate } from '../src/sim/simulate.js';

describe('simulated red team at the end of a day', () => {
  it('simulates m05 seed 2, every label matching one event', async () => {
    const entry = DETECTION_MATRIX.find((e) => e.name.startsWith('m05'))!;
    const dir = await mkdtemp(join(tmpdir(), 'seqsentry-sim-m05-'));
    try {
      await simulate({ ...matrixOptions(entry, 2, dir), render: 'lanl' });
      const test = (await readFile(join(dir, 'test.csv'), 'utf8')).trim().split('\n');
      const labels = (await readFile(join(dir, 'redteam.txt'), 'utf8')).trim().split('\n');
      const keys = new Map<string, number>();
      for (const l of test) {
        const c = l.split(',');
        const k = `${c[0]},${c[1]},${c[3]},${c[4]}`;
        keys.set(k, (keys.get(k) ?? 0) + 1);
      }
      expect(labels.length).toBeGreaterThan(10);
      for (const l of labels) expect(keys.get(l), l).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
