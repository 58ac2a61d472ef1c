// Review 2026-12-07 (night): after a refused load, the watch compared the directory with its state after the load, so a
// model.onnx whose copy completed while the refused load ran (a large model's hash and session take seconds) was never
// tried again. Now the state is taken when the load begins; a retry waits until the files have stayed the same for
// SETTLE_MS (a copy pausing between writes is not loaded half done at every poll), and comes once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleChanges, bundleFingerprint, SETTLE_MS } from '../src/service/bundle-watch.js';

/** A watched folder whose bundle.json was rewritten before its model.onnx came, and the load it caused refused. */
async function refusedWithoutModel(): Promise<{ dir: string; changes: BundleChanges; clock: { ms: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-watch-'));
  writeFileSync(join(dir, 'bundle.json'), '{"version":"v1"}');
  const clock = { ms: 0 };
  const changes = new BundleChanges(dir, await bundleFingerprint(dir), () => clock.ms);
  writeFileSync(join(dir, 'bundle.json'), '{"version":"v2"}');
  expect(await changes.due()).toBe(true);
  await changes.tried(false); // no model.onnx yet
  return { dir, changes, clock };
}

describe('BundleChanges after a refused load', () => {
  it('tries again once the files that changed during the load have settled, and only once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-watch-'));
    writeFileSync(join(dir, 'bundle.json'), '{"version":"v1"}');
    writeFileSync(join(dir, 'model.onnx'), 'old model');
    let clock = 1_000_000;
    const changes = new BundleChanges(dir, await bundleFingerprint(dir), () => clock);
    writeFileSync(join(dir, 'bundle.json'), '{"version":"v2"}'); // the copy: bundle.json first
    writeFileSync(join(dir, 'model.onnx'), 'new mo'); // model.onnx partly
    expect(await changes.due()).toBe(true); // the load begins
    writeFileSync(join(dir, 'model.onnx'), 'new model, complete'); // the copy completes while it runs
    await changes.tried(false); // the half file was refused
    expect(await changes.due()).toBe(false); // changed since the load began, not yet settled
    clock += SETTLE_MS - 1;
    expect(await changes.due()).toBe(false);
    clock += 1;
    expect(await changes.due()).toBe(true); // settled: tried again
    await changes.tried(false);
    clock += 10 * SETTLE_MS;
    expect(await changes.due()).toBe(false); // refused as it is: not again until something changes
  });

  it('waits while a copy keeps writing, then tries the settled files', async () => {
    const { dir, changes, clock } = await refusedWithoutModel();
    for (let k = 1; k <= 5; k++) {
      writeFileSync(join(dir, 'model.onnx'), 'x'.repeat(k * 10)); // still copying, a poll every SETTLE_MS
      clock.ms += SETTLE_MS;
      expect(await changes.due()).toBe(false);
    }
    clock.ms += SETTLE_MS;
    expect(await changes.due()).toBe(true);
    await changes.tried(true);
    clock.ms += SETTLE_MS;
    writeFileSync(join(dir, 'model.onnx'), 'edited after the switch');
    expect(await changes.due()).toBe(false); // switched: only bundle.json starts a load again
  });

  it('does not load again a bundle another trigger (an admin\'s reload) switched to after the refusal', async () => {
    const { dir, changes, clock } = await refusedWithoutModel();
    writeFileSync(join(dir, 'model.onnx'), 'the missing model');
    await changes.switchedElsewhere(); // POST /v1/admin/reload took it
    for (let k = 0; k < 3; k++) {
      clock.ms += SETTLE_MS;
      expect(await changes.due()).toBe(false);
    }
  });
});
