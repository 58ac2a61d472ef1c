import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_FILES, simulate } from '../src/sim/simulate.js';
import { QUIET_PROFILE } from './support/sim-fixture.js';

// Every knob away from its default, so every profile code path draws random numbers.
const profile = {
  ...QUIET_PROFILE,
  users: 150,
  sysadminShare: 0.05, helpdeskShare: 0.03, ntlmServerShare: 0.2, roamingShare: 0.3, shiftShare: 0.2,
  weekendShare: 0.3, sparseShare: 0.3, serverConcentration: 2,
};
const base = { days: 4, trainDays: 2, profile };

describe('simulate with a profile is deterministic', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seqsentry-sim-pdet-'));
    await simulate({ ...base, seed: 9, outDir: join(root, 'a') });
    await simulate({ ...base, seed: 9, outDir: join(root, 'b') });
    await simulate({ ...base, seed: 10, outDir: join(root, 'c') });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const read = (dir: string, file: string) => readFile(join(root, dir, file));

  it('writes byte-identical files, ground truth included, for the same profile and seed', async () => {
    for (const file of Object.values(OUTPUT_FILES)) {
      const [a, b] = await Promise.all([read('a', file), read('b', file)]);
      expect(a.length, file).toBeGreaterThan(0);
      expect(a.equals(b), `${file} differs between two runs with seed 9`).toBe(true);
    }
  });

  it('writes different data for another seed', async () => {
    for (const file of [OUTPUT_FILES.train, OUTPUT_FILES.campaigns]) {
      const [a, c] = await Promise.all([read('a', file), read('c', file)]);
      expect(a.equals(c), `${file} is the same for seeds 9 and 10`).toBe(false);
    }
  });
});
