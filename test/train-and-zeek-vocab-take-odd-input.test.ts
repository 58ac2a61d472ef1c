// Odd inputs a reviewer gave the offline commands (2026-12-07): a LANL line at a negative time made `train` fail in
// Python's argument parser ("--held-out: expected one argument", the held-out origin read as an option); `zeek-vocab`
// over a file of no Zeek record wrote an empty vocabulary and exited 0. Now the first trains, the second is an error
// that names the read and writes nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython } from './support/env.js';

describe.runIf(hasBuild() && hasPython())('train and zeek-vocab on odd input', () => {
  let dir = '';
  let lanl = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqsentry-odd-input-'));
    // Three simulated days: enough time for the held-out blocks.
    const sim = runCli(['simulate', '--out', join(dir, 'sim'), '--days', '3', '--seed', '3', '--scale', '0.2']);
    expect(sim.status, sim.stderr).toBe(0);
    lanl = join(dir, 'past.csv');
    const lines = readFileSync(join(dir, 'sim', 'train.csv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('time,'));
    writeFileSync(lanl, ['-100000000,U1@DOM1,U1@DOM1,C1,C2,Kerberos,Network,LogOn,Success', ...lines].join('\n') + '\n');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on events that start at a negative time', () => {
    const r = runCli(['train', '--format', 'lanl', '--input', lanl, '--model-dir', join(dir, 'm'), '--epochs', '1', '--steps-per-epoch', '2', '--no-screen']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'm', 'bundle.json'))).toBe(true);
  }, 300_000);

  it('refuses to write a Zeek vocabulary from no Zeek record', () => {
    const out = join(dir, 'vocab.json');
    const r = runCli(['zeek-vocab', '--input', lanl, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no Zeek record could be read from .*past\.csv \(read \d+ records: 0 events, 0 skipped, \d+ unreadable\); .*vocab\.json not written/);
    expect(existsSync(out)).toBe(false);
  });
});
