// `score --budget R` (the daily alert budget) through the score command: the same anomaly_score and raw as without
// it, is_anomaly only on events over the threshold, at most ceil(R × events) of the (one-day) file flagged, and the
// same flags on a second run.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreFiles } from '../src/commands/score.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

interface Line { line: number; time: number; anomaly_score?: number; raw?: number; is_anomaly?: boolean }

describe.runIf(hasSharedData() && hasPython())('score --budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-budget-'));
  let modelDir = '';
  beforeAll(async () => {
    modelDir = await lanlModel();
  }, 600_000);

  it('flags at most ceil(R × n) events over the threshold, deterministically, and changes no score', async () => {
    const input = join(dir, 'day2.csv');
    writeFileSync(input, readFileSync(shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), 'utf8'));
    // A low threshold, so that a share of this ordinary day passes it, as a day unlike training would.
    const threshold = 0.9;
    const run = async (name: string, budget: number | null) => {
      const output = join(dir, name);
      const summary = await scoreFiles({ modelDir, inputs: [input], output, format: 'lanl', strict: false, batchSize: 512, budget, threshold });
      const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line).filter((l) => l.anomaly_score !== undefined);
      return { summary, lines };
    };
    // A threshold-only run first, to pick a rate that binds: a tenth of the share the threshold flags.
    const off = await run('off.jsonl', null);
    const over = off.lines.filter((l) => l.is_anomaly).length;
    const n = off.lines.length;
    expect(over).toBeGreaterThan(10);
    const span = Math.max(...off.lines.map((l) => l.time)) - Math.min(...off.lines.map((l) => l.time));
    expect(span).toBeLessThan(86_400); // one window: the bound holds for the whole file
    const rate = over / n / 10;
    const on = await run('on.jsonl', rate);
    const again = await run('again.jsonl', rate);
    const flagged = on.lines.filter((l) => l.is_anomaly).length;
    expect(on.summary.anomalies).toBe(flagged);
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThanOrEqual(Math.ceil(rate * n));
    expect(on.lines.map((l) => [l.line, l.anomaly_score, l.raw])).toEqual(off.lines.map((l) => [l.line, l.anomaly_score, l.raw]));
    on.lines.forEach((l, i) => {
      if (l.is_anomaly) expect(off.lines[i]!.is_anomaly).toBe(true);
    });
    expect(again.lines.map((l) => l.is_anomaly)).toEqual(on.lines.map((l) => l.is_anomaly));
  }, 300_000);
});
