// Monitor thresholds come from the bundle's calibration and the acceptance rate: on normal traffic each monitor raises
// about the accepted number of alerts a day, and no hand-set constant decides them.
import { describe, expect, it } from 'vitest';
import { entityThresholds, monitorTiming, poissonTail, veryHighScore } from '../src/install/alert-thresholds.js';
import { loadContent } from '../src/install/content.js';

const cal = { threshold: 0.99, n: 100_000 };
const timing = { scheduleMinutes: 15, lookbackMinutes: 60 };

describe('monitor thresholds', () => {
  it('put the single-event threshold where normal traffic gives the accepted alerts a day', () => {
    expect(veryHighScore(cal, 5, 20_000)).toBe(0.99975);
    // More accepted alerts, a lower bar; never below the anomaly threshold, never finer than the calibration resolves.
    expect(veryHighScore(cal, 50, 20_000)).toBeLessThan(veryHighScore(cal, 5, 20_000));
    expect(veryHighScore(cal, 5_000, 20_000)).toBe(0.99);
    expect(veryHighScore({ threshold: 0.99, n: 999 }, 1, 10_000_000)).toBe(0.999);
  });

  it('pick the least anomalous-event count whose expected alerts a day stay within the rate', () => {
    for (const [rate, events, entities] of [[5, 20_000, 50], [1, 1_000_000, 3_000], [20, 200_000, 10]] as const) {
      const { anomalous: n, risk } = entityThresholds(cal, rate, events, entities, timing);
      const mu = (events / entities) * (60 / 1440) * (1 - cal.threshold);
      const perDay = (k: number) => (1440 / 15) * entities * poissonTail(mu, k);
      expect(perDay(n)).toBeLessThanOrEqual(rate);
      if (n > 2) expect(perDay(n - 1)).toBeGreaterThan(rate);
      expect(risk).toBeCloseTo(n * cal.threshold, 3);
    }
    // A busier entity needs more anomalous events to stand out; a higher rate accepts fewer.
    expect(entityThresholds(cal, 5, 200_000, 10, timing).anomalous).toBeGreaterThan(entityThresholds(cal, 5, 20_000, 10, timing).anomalous);
    expect(entityThresholds(cal, 50, 200_000, 10, timing).anomalous).toBeLessThan(entityThresholds(cal, 5, 200_000, 10, timing).anomalous);
  });

  it('computes the Poisson tail', () => {
    expect(poissonTail(2, 0)).toBe(1);
    expect(poissonTail(2, 1)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(poissonTail(2, 3)).toBeCloseTo(1 - Math.exp(-2) * (1 + 2 + 2), 12);
  });

  it('reads each bucket monitor\'s schedule and lookback from its content file', () => {
    for (const file of ['pipelines/monitors/seqsentry-hosts-at-risk.monitor.json', 'pipelines/monitors/seqsentry-users-at-risk.monitor.json']) {
      expect(monitorTiming(loadContent(file), file)).toEqual({ scheduleMinutes: 15, lookbackMinutes: 60 });
    }
    expect(() => monitorTiming({ schedule: { period: { interval: 1, unit: 'HOURS' } } }, 'x.json')).toThrow(/x\.json.*MINUTES/);
  });
});
