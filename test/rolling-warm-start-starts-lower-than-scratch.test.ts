// Warm start: the model of window w+1 starts from window w's weights, so on w+1's held-out events it starts (and
// after its first epoch stays) at a lower loss than the same model trained from scratch on w+1; its vocabulary
// keeps every id window w gave out and appends what is new.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WindowReport } from '../src/rolling/rolling-train.js';
import { rollingEcs } from './support/rolling-fixture.js';

interface Bundle {
  version: string;
  tokenizer: { fields: string[]; vocab: Record<string, string[]> };
  training: { warm_start: boolean; initial_val_loss: number; epoch_losses: { train: number; val: number }[]; events: number };
}
const root = mkdtempSync(join(tmpdir(), 'seqsentry-warm-'));
const bundleOf = (r: WindowReport): Bundle => JSON.parse(readFileSync(join(r.version!.path, 'bundle.json'), 'utf8')) as Bundle;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rolling warm start', () => {
  it('starts window 2 lower than scratch, keeps window 1 ids, and names each version after its window', { timeout: 600_000 }, async () => {
    const reports = await rollingEcs(join(root, 'rolling'), { days: 2, perDay: 48, epochs: 4 });
    expect(reports).toHaveLength(2);
    const [first, second] = reports.map(bundleOf) as [Bundle, Bundle];
    expect(first.training.warm_start).toBe(false);
    expect(second.training.warm_start).toBe(true);
    expect(reports.map((r) => r.version!.version)).toEqual(['test-20260105T000000Z', 'test-20260106T000000Z']);
    expect(second.version).toBe('test-20260106T000000Z');
    expect(reports[1]!.version!.previous_version).toBe('test-20260105T000000Z');

    // The second day alone, from scratch: the same events, seed and held-out split as the warm run's second window.
    const [alone] = await rollingEcs(join(root, 'cold'), { days: 2, perDay: 48, epochs: 4, onlyDay: 1 });
    const cold = bundleOf(alone as WindowReport);
    expect(cold.training.warm_start).toBe(false);
    expect(cold.training.events).toBe(second.training.events);
    expect(second.training.initial_val_loss).toBeLessThan(cold.training.initial_val_loss);
    expect(second.training.epoch_losses[0]!.val).toBeLessThan(cold.training.epoch_losses[0]!.val);

    // Ids handed out by window 1 keep their meaning: its vocabulary is a prefix of window 2's, field by field.
    for (const field of first.tokenizer.fields) {
      const before = first.tokenizer.vocab[field]!;
      expect(second.tokenizer.vocab[field]!.slice(0, before.length)).toEqual(before);
    }
  });
});
