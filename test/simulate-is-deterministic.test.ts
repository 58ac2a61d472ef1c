import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERINGS } from '../src/sim/renderers.js';
import { simulate, type SimulateOptions } from '../src/sim/simulate.js';
import { QUIET_PROFILE } from './support/sim-fixture.js';

// Small enough to run in well under a second per simulation, large enough to hold every campaign kind.
const builtIn = { days: 4, trainDays: 2, scale: 0.4 };
// Every profile knob away from its default, so every profile code path draws random numbers.
const profiled = {
  days: 4,
  trainDays: 2,
  profile: {
    ...QUIET_PROFILE,
    users: 150,
    sysadminShare: 0.05, helpdeskShare: 0.03, ntlmServerShare: 0.2, roamingShare: 0.3, shiftShare: 0.2,
    weekendShare: 0.3, sparseShare: 0.3, serverConcentration: 2,
  },
};

describe.each([
  ['the built-in enterprise', builtIn],
  ['a profile with every knob set', profiled],
  ['the Windows rendering', { ...builtIn, render: 'windows' }],
  ['the web logins', { ...builtIn, render: 'weblogin' }],
] as [string, Omit<SimulateOptions, 'seed' | 'outDir'>][])('simulate is deterministic: %s', (_, base) => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seqsentry-sim-det-'));
    await simulate({ ...base, seed: 7, outDir: join(root, 'a') });
    await simulate({ ...base, seed: 7, outDir: join(root, 'b') });
    await simulate({ ...base, seed: 8, outDir: join(root, 'c') });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const read = (dir: string, file: string) => readFile(join(root, dir, file));
  const OUTPUT_FILES = RENDERINGS[base.render ?? 'lanl']!.files;

  it('writes byte-identical files, ground truth included, for the same seed', async () => {
    for (const file of Object.values(OUTPUT_FILES)) {
      const [a, b] = await Promise.all([read('a', file), read('b', file)]);
      expect(a.length, file).toBeGreaterThan(0);
      expect(a.equals(b), `${file} differs between two runs with seed 7`).toBe(true);
    }
  });

  it('writes different data for a different seed', async () => {
    for (const file of [OUTPUT_FILES.train, OUTPUT_FILES.test, OUTPUT_FILES.redteam, OUTPUT_FILES.campaigns]) {
      const [a, c] = await Promise.all([read('a', file), read('c', file)]);
      expect(a.equals(c), `${file} is the same for seeds 7 and 8`).toBe(false);
    }
  });
});
