// Golden test of the transformer-lm kind: a small bundle trained through `seqsentry train --kind transformer-lm` on
// the shared LANL day 0, its ONNX file checked against the PyTorch checkpoint (models/check_export.py), and the
// TypeScript scorer's per-field surprisal, expected values and sequence score checked against PyTorch's on the
// unseen day 2, each event read after its entity's previous events (histories of every length, none included).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer } from '../src/scorer/scorer.js';
import { EventsTsvWriter } from '../src/tokenizer/events-tsv.js';
import { hasBuild, hasPython, hasSharedData, PYTHON, REPO_ROOT, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';
import { pytorchScores } from './support/pytorch-scores.js';

const TOLERANCE = 1e-4;
const EVENTS = 2000;

describe.runIf(hasPython() && hasBuild() && hasSharedData())('transformer-lm: TypeScript scores equal PyTorch scores', () => {
  let modelDir: string;
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-transformer-lm-golden-'));
  const eventsPath = join(dir, 'events.tsv');
  const events: CanonicalEvent[] = [];

  beforeAll(async () => {
    modelDir = await lanlModel('transformer-lm');
    const adapter = createAdapter('lanl');
    const { entity_key: entityKey } = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8')) as { entity_key: string };
    // One event per entity and second: two events of one entity, time and token ids come in input order in Python's
    // context and in the order of a hash of their values in the scorer's (src/scorer/order.ts), so one of them has
    // the other as context on one side only; the model, not that tie rule, is what this test compares.
    const seen = new Set<string>();
    for await (const item of readEvents([shared('lanl', 'safekit-heads', 'day2_head_decoded.csv')], adapter)) {
      const key = item.event && `${item.event.entities[entityKey]}\t${item.event.time}`;
      if (!item.event || seen.has(key!)) continue;
      seen.add(key!);
      events.push(item.event);
      if (events.length === EVENTS) break;
    }
    const writer = new EventsTsvWriter(eventsPath, adapter.fieldNames, entityKey);
    for (const e of events) await writer.write(e);
    await writer.close();
  }, 600_000);

  it('the exported ONNX gives the checkpoint\'s numbers', () => {
    const r = spawnSync(PYTHON, ['models/check_export.py', '--model-dir', modelDir, '--events', eventsPath, '--batch', '256'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(report, r.stderr).toMatchObject({ kind: 'transformer-lm', expected_mismatches: 0, sha256_ok: true, shapes_ok: true, ok: true });
    expect(report.max_abs_diff).toBeLessThan(TOLERANCE);
  }, 120_000);

  it('per field and in the sequence score, the scorer\'s surprisal is PyTorch\'s to 1e-4 nats', async () => {
    const py = pytorchScores(modelDir, eventsPath);
    const scorer = await Scorer.load(modelDir);
    try {
      expect(scorer.bundle.kind).toBe('transformer-lm');
      const results = await scorer.score(events);
      const fields = scorer.bundle.tokenizer!.fields;
      const weights = scorer.bundle.field_weights!;
      expect(results).toHaveLength(events.length);
      // A field's weight (up to 100) scales its float32 difference: the score is held to the per-field tolerance times
      // the largest weight.
      const rawTolerance = TOLERANCE * Math.max(...weights);
      let worst = 0;
      results.forEach((res, i) => {
        expect(res.fields).toHaveLength(fields.length);
        let sequence = 0;
        for (const f of res.fields) {
          const k = fields.indexOf(f.field);
          worst = Math.max(worst, Math.abs(f.surprisal - py.surprisal[i]![k]!));
          expect(f.expected).toBe(scorer.encoder!.word(k, py.expected[i]![k]!));
          sequence += f.surprisal * weights[k]!;
        }
        // The sequence score the fusion reads: the field-weighted mean surprisal (src/scorer/raw-score.ts).
        expect(Math.abs(sequence / fields.length - py.raw[i]!)).toBeLessThan(rawTolerance);
        expect(res.anomaly_score).toBeGreaterThanOrEqual(0);
        expect(res.anomaly_score).toBeLessThanOrEqual(1);
      });
      expect(worst).toBeLessThan(TOLERANCE);
      // Not a constant: the model tells events apart.
      expect(new Set(py.raw.map((x) => x.toFixed(3))).size).toBeGreaterThan(100);
    } finally {
      await scorer.close();
    }
  }, 300_000);
});
