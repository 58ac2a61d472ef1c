import { describe, expect, it } from 'vitest';
import { Calibrator } from '../src/scorer/calibrate.js';

describe('calibration', () => {
  const cal = new Calibrator({ levels: [0, 0.5, 0.9, 0.99], values: [1, 2, 4, 8], tail_scale: 2 });

  it('interpolates the held-out rank and clamps below the lowest value', () => {
    expect(cal.score(0.5)).toBe(0);
    expect(cal.score(1.5)).toBeCloseTo(0.25, 12);
    expect(cal.score(3)).toBeCloseTo(0.7, 12);
    expect(cal.score(8)).toBeCloseTo(0.99, 12);
  });

  it('keeps increasing beyond the largest held-out score and stays below 1', () => {
    const xs = [8, 9, 12, 20, 30];
    const ys = xs.map((x) => cal.score(x));
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
    expect(ys.at(-1)!).toBeLessThan(1);
    expect(cal.score(10)).toBeCloseTo(1 - 0.01 * Math.exp(-1), 12);
  });
});
