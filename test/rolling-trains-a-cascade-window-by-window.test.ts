// `train --rolling` with a screen: every window's bundle is a cascade, and each window's screen starts from the previous
// window's screen as its model starts from the previous model (warm start), so a version scores as `train` would have
// trained it on that window.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Scorer } from '../src/scorer/scorer.js';
import { hasPython } from './support/env.js';
import { rollingEcs } from './support/rolling-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'seqsentry-rolling-cascade-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Manifest = { screen?: { dir: string; threshold: number }; context_length: number; training: { warm_start: boolean } };
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as Manifest;

describe.runIf(hasPython())('rolling retraining with a screen', () => {
  it('trains a cascade per window, the screen warm-started from the previous window\'s screen', { timeout: 600_000 }, async () => {
    const reports = await rollingEcs(root, { days: 2, screen: 0.9 });
    expect(reports).toHaveLength(2);
    const dirs = reports.map((r) => r.version!.path);
    const outer = dirs.map(manifest);
    const screens = dirs.map((d) => manifest(join(d, 'screen')));
    const pinned = { dir: 'screen', threshold: 0.9, bundle_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) };
    expect(outer.map((b) => b.screen)).toEqual([pinned, pinned]);
    expect(outer.map((b) => b.context_length)).toEqual([4, 4]);
    expect(screens.map((b) => b.context_length)).toEqual([0, 0]);
    expect(screens.map((b) => b.training.warm_start)).toEqual([false, true]);
    expect(outer.map((b) => b.training.warm_start)).toEqual([false, true]);
    // the first version scored the second window as a cascade
    expect(reports[0]!.next!.events).toBeGreaterThan(0);
    const scorer = await Scorer.load(dirs[1]!);
    try {
      expect(scorer.screenStats).toEqual({ threshold: 0.9, screened: 0, escalated: 0 });
    } finally {
      await scorer.close();
    }
  });
});
