// Golden test of the lstm-ae kind: a small bundle trained through `seqsentry train --kind lstm-ae` on web logins,
// its ONNX file checked against the PyTorch checkpoint (models/check_export.py), and the TypeScript scorer's
// per-field reconstruction error and raw score checked against PyTorch's on the same logins, histories included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer } from '../src/scorer/scorer.js';
import { EventsTsvWriter } from '../src/tokenizer/events-tsv.js';
import { hasBuild, hasPython, PYTHON, REPO_ROOT } from './support/env.js';
import { webloginLstmAeModel } from './support/model-fixture.js';
import { pytorchScores } from './support/pytorch-scores.js';
import { takeoverLogin, webloginRecords } from './support/weblogin-fixture.js';

const TOLERANCE = 1e-4;

describe.runIf(hasPython() && hasBuild())('lstm-ae: TypeScript scores equal PyTorch scores', () => {
  let modelDir: string;
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-lstm-ae-golden-'));
  const eventsPath = join(dir, 'events.tsv');
  let events: CanonicalEvent[];

  beforeAll(async () => {
    modelDir = await webloginLstmAeModel();
    // Two test days and a takeover, with a user the model never saw: histories of every length, cold start included.
    const adapter = createAdapter('weblogin');
    // In the login-risk shape the fixture model was trained on (no outcome, no app).
    const records = [...webloginRecords(2, 14), takeoverLogin(15), { ...takeoverLogin(15), userID: 'newcomer' }]
      .map(({ userAgent, timestamp, userID, location }) => ({ userAgent, timestamp, userID, location }));
    events = records.map((r, i) => adapter.parse(r, { file: 'golden', line: i + 1 }) as CanonicalEvent);
    const writer = new EventsTsvWriter(eventsPath, adapter.fieldNames, 'user');
    for (const e of events) await writer.write(e);
    await writer.close();
  }, 300_000);

  it('the exported ONNX gives the checkpoint\'s numbers', () => {
    const r = spawnSync(PYTHON, ['models/check_export.py', '--model-dir', modelDir, '--events', eventsPath, '--batch', '256'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(report, r.stderr).toMatchObject({ kind: 'lstm-ae', expected_mismatches: 0, sha256_ok: true, shapes_ok: true, ok: true });
    expect(report.max_abs_diff).toBeLessThan(TOLERANCE);
  }, 120_000);

  it('per field and in total, the scorer\'s reconstruction error is PyTorch\'s to 1e-4 nats', async () => {
    const py = pytorchScores(modelDir, eventsPath);
    const scorer = await Scorer.load(modelDir);
    try {
      const results = await scorer.score(events);
      const fields = scorer.bundle.tokenizer.fields;
      expect(results).toHaveLength(events.length);
      let worst = 0;
      results.forEach((res, i) => {
        for (const f of res.fields) {
          const k = fields.indexOf(f.field);
          worst = Math.max(worst, Math.abs(f.surprisal - py.surprisal[i]![k]!));
          expect(f.expected).toBe(scorer.encoder.word(k, py.expected[i]![k]!));
        }
        expect(Math.abs(res.raw - py.raw[i]!)).toBeLessThan(TOLERANCE);
        expect(res.anomaly_score).toBeGreaterThanOrEqual(0);
        expect(res.anomaly_score).toBeLessThanOrEqual(1);
      });
      expect(worst).toBeLessThan(TOLERANCE);
      // The entity fields are left out of the reconstruction: no error, their own value expected.
      for (const name of ['user', 'src_host', 'dst_host']) {
        const f = results[0]!.fields.find((x) => x.field === name)!;
        expect(f.surprisal).toBe(0);
        expect(f.expected).toBe(f.value);
      }
    } finally {
      await scorer.close();
    }
  }, 120_000);
});
