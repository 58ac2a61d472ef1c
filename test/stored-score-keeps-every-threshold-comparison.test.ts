// The index keeps anomaly_score to a millionth and anomaly.raw as the float it is mapped as (issue 11: the digits
// of a double beyond that cost _source bytes on every event and carry nothing). Rounding must not move any event
// across a threshold the content pack compares with (monitors, dashboards, the explanation policy), in doubles
// and in the 32-bit floats OpenSearch compares, nor change what raw's doc values hold.
import { describe, expect, it } from 'vitest';
import { veryHighScore } from '../src/install/alert-thresholds.js';
import type { ScoreResult } from '../src/scorer/scorer.js';
import { anomalyFields, storedRaw, storedScore } from '../src/service/anomaly-fields.js';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Thresholds as the content pack sets them: the monitors' (veryHighScore over a range of calibrations, volumes and
// acceptance rates), the dashboards' and the explanation policy's decimals, and every millionth near the top.
const rand = random(11);
const thresholds = [0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1];
for (let i = 0; i < 200; i++) thresholds.push(veryHighScore({ threshold: 0.99 + rand() * 0.009, n: Math.floor(1000 + rand() * 1e6) }, 1 + rand() * 20, 1e3 + rand() * 1e7));
for (let k = 999_000; k <= 1_000_000; k += 7) thresholds.push(k / 1e6);

// Scores anywhere, on the grid, a hair either side of it, and in the calibration's exponential tail near 1.
const scores: number[] = [0, 1];
for (let i = 0; i < 5_000; i++) scores.push(rand(), 1 - rand() * 1e-3, 1 - rand() * 1e-7);
for (const t of thresholds) scores.push(t, t - 1e-12, t + 1e-12, t - 4e-7, Math.min(1, t + 4e-7));

describe('anomaly_score to a millionth', () => {
  it('stays within a millionth below the computed score and prints in at most 8 characters', () => {
    for (const s of scores) {
      const stored = storedScore(s);
      expect(stored).toBeLessThanOrEqual(s);
      expect(s - stored).toBeLessThan(1e-6);
      expect(JSON.stringify(stored).length).toBeLessThanOrEqual(8);
    }
  });

  it('keeps score >= threshold for every threshold the content pack uses, as a double and as OpenSearch\'s float', () => {
    let compared = 0;
    for (const t of thresholds) {
      for (const s of scores) {
        const stored = storedScore(s);
        if (stored >= t !== s >= t) throw new Error(`score ${s} stored as ${stored} crosses threshold ${t}`);
        if (Math.fround(stored) >= Math.fround(t) !== s >= t) throw new Error(`score ${s} stored as float ${Math.fround(stored)} crosses threshold ${t}`);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(500_000);
  });
});

describe('anomaly.raw as its float', () => {
  it('holds the same 32-bit float as the computed raw score in at most 9 significant digits', () => {
    const r = random(5);
    for (let i = 0; i < 50_000; i++) {
      const raw = (r() - 0.1) * 10 ** Math.floor(r() * 6 - 2);
      const stored = storedRaw(raw);
      expect(Math.fround(stored)).toBe(Math.fround(raw));
      expect(stored.toExponential().replace(/e.*$/, '').replace(/[-.]/g, '').length).toBeLessThanOrEqual(9);
    }
    expect(storedRaw(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('anomalyFields', () => {
  const model = { name: 'm', version: 'v', kind: 'transformer-mlm' };
  const result = (anomaly_score: number, raw: number): ScoreResult => ({ anomaly_score, raw, is_anomaly: anomaly_score >= 0.999, fields: [{ field: 'dst_host', value: 'c1', surprisal: 3.25, expected: 'c2' }] });

  it('writes the stored score and raw, while is_anomaly and the explanation policy read the computed score', () => {
    const justBelow = anomalyFields(result(0.98999999999, 7.123456789012345), model, 0.999, 't');
    expect(justBelow.anomaly_score).toBe(0.989999);
    // below the explain threshold by less than a millionth: compact (no raw, the top field's name) though stored as 0.989999
    expect(justBelow.anomaly.raw).toBeUndefined();
    expect(justBelow.anomaly.fields).toEqual([{ name: 'dst_host' }]);
    const explained = anomalyFields(result(0.98999999999, 7.123456789012345), model, 0.999, 't', undefined, 0.98);
    expect(explained.anomaly.raw).toBe(Number(Math.fround(7.123456789012345).toPrecision(9)));

    const tail = anomalyFields(result(0.99999999, 41.5), model, 0.9999999, 't');
    expect(tail.anomaly_score).toBe(0.999999);
    expect(tail.anomaly.is_anomaly).toBe(true);
    expect(tail.anomaly.fields![0]!.expected).toBe('c2');
  });
});
