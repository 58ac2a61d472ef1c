// `score --compact` (issue 11): below the explain threshold a non-anomalous event's line is only what joins it back
// to its record and says where to look (input line, the same score, the top field's name), at most 120 bytes;
// events at or above the threshold, and anomalous ones, keep the full line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreFiles } from '../src/commands/score.js';
import { DEFAULT_EXPLAIN_ABOVE } from '../src/service/anomaly-fields.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

interface Line { line: number; anomaly_score?: number; is_anomaly?: boolean; field?: string; fields?: { field: string }[]; time?: number }

describe.runIf(hasSharedData() && hasPython())('score --compact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-compact-'));
  let modelDir = '';
  beforeAll(async () => {
    modelDir = await lanlModel();
  }, 600_000);

  it('writes line, score and top field below the explain threshold, the full line elsewhere, the same scores', async () => {
    const input = join(dir, 'day2.csv');
    writeFileSync(input, readFileSync(shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), 'utf8'));
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'full.jsonl'), format: 'lanl', strict: false, batchSize: 512 });
    await scoreFiles({ modelDir, inputs: [input], output: join(dir, 'compact.jsonl'), format: 'lanl', strict: false, batchSize: 512, compact: true });
    const text = (name: string) => readFileSync(join(dir, name), 'utf8').trim().split('\n');
    const full = text('full.jsonl').map((l) => JSON.parse(l) as Line);
    const compactText = text('compact.jsonl');
    expect(compactText.length).toBe(full.length);
    let short = 0;
    let shortBytes = 0;
    compactText.forEach((t, i) => {
      const c = JSON.parse(t) as Line;
      const f = full[i]!;
      expect(c.line).toBe(f.line);
      expect(c.anomaly_score).toBe(f.anomaly_score);
      if (f.anomaly_score === undefined) return;
      if (f.anomaly_score < DEFAULT_EXPLAIN_ABOVE && !f.is_anomaly) {
        short += 1;
        shortBytes += Buffer.byteLength(t) + 1;
        expect(Object.keys(c).sort()).toEqual(['anomaly_score', 'field', 'line']);
        expect(c.field).toBe(f.fields![0]!.field);
      } else {
        expect(c).toEqual(f);
      }
    });
    expect(short).toBeGreaterThan(full.length / 2);
    expect(shortBytes / short).toBeLessThanOrEqual(120);
  }, 300_000);
});
