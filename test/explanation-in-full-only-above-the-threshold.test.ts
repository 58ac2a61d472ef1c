// Explanations cost index space on every event, and analysts read them only on the rare ones: an event at or above
// the explain threshold gets the full explanation (every explained field with its surprisal and expected value, and
// the threshold, and the raw score that breaks ties among the top events), the others the top field's name only, and
// its value too when the event is anomalous (aggregate reads it); the same in the sidecar's config, enrich's option
// and `score --explain-above`, and the score itself never changes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreFiles } from '../src/commands/score.js';
import { scoreOption } from '../src/commands/command.js';
import { ServeConfigSchema } from '../src/config/serve-config.js';
import type { ScoreResult } from '../src/scorer/scorer.js';
import { anomalyFields, DEFAULT_EXPLAIN_ABOVE, MAX_EXPLAINED_FIELDS } from '../src/service/anomaly-fields.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

const model = { name: 'm', version: 'v', kind: 'transformer-mlm' };
const fields = ['dst_host', 'src_host', 'auth_type', 'logon_type', 'user', 'success'].map((field, i) => ({ field, value: `v${i}`, surprisal: 6 - i, expected: `e${i}` }));
const result = (anomaly_score: number): ScoreResult => ({ anomaly_score, raw: 12.5, is_anomaly: anomaly_score >= 0.999, fields });

describe('explanation policy', () => {
  it('writes the full explanation at and above the threshold, the top field below it, the same score either way', () => {
    const full = anomalyFields(result(0.99), model, 0.999, 't');
    expect(full.anomaly.fields).toHaveLength(MAX_EXPLAINED_FIELDS);
    expect(full.anomaly.fields![0]).toEqual({ name: 'dst_host', value: 'v0', surprisal: 6, expected: 'e0' });
    expect(full.anomaly.threshold).toBe(0.999);

    expect(full.anomaly.raw).toBe(12.5);

    const compact = anomalyFields(result(0.98), model, 0.999, 't');
    expect(compact.anomaly.fields).toEqual([{ name: 'dst_host' }]);
    expect(compact.anomaly.threshold).toBeUndefined();
    expect(compact.anomaly_score).toBe(0.98);
    expect(compact.anomaly.raw).toBeUndefined();
    expect(compact.anomaly.is_anomaly).toBe(false);
    expect(compact.anomaly.model).toEqual(model);
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(full).length / 2);

    // 0 explains everything in full; 1 only a perfect score
    expect(anomalyFields(result(0), model, 0.999, 't', undefined, 0).anomaly.fields).toHaveLength(MAX_EXPLAINED_FIELDS);
    // an anomalous event below the explain threshold keeps the top field's value, which aggregate and suppressions read
    const anomalousCompact = anomalyFields(result(0.9999), model, 0.999, 't', undefined, 1);
    expect(anomalousCompact.anomaly.fields).toEqual([{ name: 'dst_host', value: 'v0' }]);
    expect(anomalousCompact.anomaly.raw).toBeUndefined();
  });

  it('is configured in the sidecar with a default and refuses a threshold outside [0, 1], naming the key', () => {
    expect(ServeConfigSchema.parse({ model_dir: 'm' }).explanation.full_above).toBe(DEFAULT_EXPLAIN_ABOVE);
    expect(ServeConfigSchema.parse({ model_dir: 'm', explanation: { full_above: 0 } }).explanation.full_above).toBe(0);
    const bad = ServeConfigSchema.safeParse({ model_dir: 'm', explanation: { full_above: 1.5 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['explanation', 'full_above']);
    expect(scoreOption('0.95', 'explain-above')).toBe(0.95);
    for (const wrong of ['', 'x', '-0.1', '2']) expect(() => scoreOption(wrong, 'explain-above')).toThrow(/--explain-above must be an anomaly_score in \[0, 1\]/);
  });
});

describe.runIf(hasSharedData() && hasPython())('score --explain-above', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-explain-'));
  let modelDir = '';
  beforeAll(async () => {
    modelDir = await lanlModel();
  }, 600_000);

  it('keeps every score and writes the compact form exactly below the threshold', async () => {
    const input = join(dir, 'day2.csv');
    writeFileSync(input, readFileSync(shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), 'utf8'));
    const read = (name: string) => readFileSync(join(dir, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { anomaly_score?: number; raw?: number; fields?: { surprisal?: number }[] });
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'full.jsonl'), format: 'lanl', strict: false, batchSize: 512 });
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'compact.jsonl'), format: 'lanl', strict: false, batchSize: 512, explainAbove: 0.9 });
    const full = read('full.jsonl').filter((l) => l.anomaly_score !== undefined);
    const compact = read('compact.jsonl').filter((l) => l.anomaly_score !== undefined);
    expect(compact.length).toBe(full.length);
    let below = 0;
    compact.forEach((c, i) => {
      const f = full[i]!;
      expect(c.raw).toBe(f.raw);
      expect(c.anomaly_score).toBe(f.anomaly_score);
      if (c.anomaly_score! < 0.9) {
        below += 1;
        expect(c.fields).toHaveLength(1);
        expect(c.fields![0]!.surprisal).toBeUndefined();
      } else {
        expect(c.fields).toEqual(f.fields);
      }
    });
    expect(below).toBeGreaterThan(0);
    expect(below).toBeLessThan(compact.length);
  });
});
