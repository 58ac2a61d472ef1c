// The same events and seed train the same model twice, and in another order: identical calibration, losses and ONNX
// bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasPython, PYTHON, REPO_ROOT } from './support/env.js';

/** A small deterministic events TSV: 40 users with habits, a few rare values, 3,000 events, three to a second. */
function syntheticEvents(): string {
  const lines = ['entity\ttime\tsrc_host\tdst_host\tauth_type\tsuccess'];
  let x = 12345;
  const next = (m: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % m;
  };
  for (let i = 0; i < 3000; i++) {
    const u = next(40);
    const dst = next(10) < 8 ? `S${u % 5}` : `S${next(30)}`;
    lines.push([`U${u}`, String(Math.floor(i / 3) * 37), `C${u}`, dst, next(6) === 0 ? 'NTLM' : 'Kerberos', next(50) === 0 ? 'Fail' : 'Success'].join('\t'));
  }
  return lines.join('\n') + '\n';
}

interface BundleNumbers {
  calibration: unknown;
  tokenizer: unknown;
  training: { best_val_loss: number };
  metrics: { val_mean_raw: number };
  onnx: { sha256: string };
}

function train(events: string, kind: string, out: string): BundleNumbers {
  const r = spawnSync(PYTHON, ['models/train.py', '--events', events, '--kind', kind, '--out', out, '--epochs', '2', '--seed', '7'],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8')) as BundleNumbers;
}

describe.runIf(hasPython())('trainer determinism', () => {
  for (const kind of ['transformer-mlm', 'lstm-lm']) {
    it(`${kind}: same seed twice gives the same bundle numbers`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'seqsentry-determinism-'));
      const events = join(dir, 'events.tsv');
      writeFileSync(events, syntheticEvents());
      const a = train(events, kind, join(dir, 'a'));
      const b = train(events, kind, join(dir, 'b'));
      expect(b.calibration).toEqual(a.calibration);
      expect(b.training.best_val_loss).toBe(a.training.best_val_loss);
      expect(b.metrics.val_mean_raw).toBe(a.metrics.val_mean_raw);
      expect(b.tokenizer).toEqual(a.tokenizer);
      expect(b.onnx.sha256).toBe(a.onnx.sha256);
    }, 100_000);

    it(`${kind}: the same events in another order give the same model`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'seqsentry-determinism-'));
      const [header, ...rows] = syntheticEvents().trimEnd().split('\n');
      const inOrder = join(dir, 'in-order.tsv');
      const shuffled = join(dir, 'shuffled.tsv');
      writeFileSync(inOrder, [header, ...rows].join('\n') + '\n');
      // reversed, then every odd row moved to the end: same-second events swap places too
      const reversed = rows.reverse();
      writeFileSync(shuffled, [header, ...reversed.filter((_, i) => i % 2 === 0), ...reversed.filter((_, i) => i % 2 === 1)].join('\n') + '\n');
      const a = train(inOrder, kind, join(dir, 'a'));
      const b = train(shuffled, kind, join(dir, 'b'));
      expect(b.calibration).toEqual(a.calibration);
      expect(b.training.best_val_loss).toBe(a.training.best_val_loss);
      expect(b.tokenizer).toEqual(a.tokenizer);
      expect(b.onnx.sha256).toBe(a.onnx.sha256);
    }, 100_000);
  }
});
