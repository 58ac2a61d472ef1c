import { describe, expect, it } from 'vitest';
import { DETECTION_MATRIX } from '../src/sim/matrix.js';
import { CAMPAIGN_CLASSES, EnterpriseProfileSchema, parseProfile } from '../src/sim/profile.js';

const KNOBS = [
  'users', 'sysadminShare', 'helpdeskShare', 'developerShare', 'serviceAccountsPer100', 'ntlmUserShare', 'ntlmServerShare',
  'roamingShare', 'shiftShare', 'weekendShare', 'sparseShare', 'serverConcentration', 'restrictedServers',
] as const;

describe('the detection matrix', () => {
  const profiles = DETECTION_MATRIX.map((e) => parseProfile(e.profile, e.name));

  it('has at least 12 uniquely named, valid, frozen enterprises with two weekday test days', () => {
    expect(DETECTION_MATRIX.length).toBeGreaterThanOrEqual(12);
    expect(new Set(DETECTION_MATRIX.map((e) => e.name)).size).toBe(DETECTION_MATRIX.length);
    expect(Object.isFrozen(DETECTION_MATRIX)).toBe(true);
    expect(Object.isFrozen(DETECTION_MATRIX[0]!.profile)).toBe(true);
    for (const e of DETECTION_MATRIX) {
      expect(e.days - e.trainDays, e.name).toBe(2);
      // Day 0 is a Monday: test days e.trainDays and +1 must both be Monday..Friday.
      expect(e.trainDays % 7, e.name).toBeLessThanOrEqual(3);
    }
  });

  it('spans 100 to 3,000 people', () => {
    const users = profiles.map((p) => p.users as number);
    expect(Math.min(...users)).toBe(100);
    expect(Math.max(...users)).toBe(3000);
  });

  it('sets every knob low and high, each level in at least a quarter of the enterprises', () => {
    expect(Object.keys(EnterpriseProfileSchema.shape)).toEqual(expect.arrayContaining([...KNOBS]));
    for (const k of KNOBS) {
      const values = profiles.map((p) => p[k] as number);
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      expect(hi, k).toBeGreaterThan(lo);
      expect(values.filter((v) => v === lo).length, `${k} low`).toBeGreaterThanOrEqual(k === 'users' ? 1 : 3);
      expect(values.filter((v) => v > lo).length, `${k} high`).toBeGreaterThanOrEqual(3);
    }
  });

  it('trains over a weekend in enterprises with weekend work both low and high, so that knob matters', () => {
    const withWeekend = DETECTION_MATRIX.map((e, i) => ({ e, p: profiles[i]! })).filter(({ e }) => e.trainDays >= 7);
    const levels = new Set(withWeekend.map(({ p }) => p.weekendShare));
    expect(levels.size, 'weekendShare levels among enterprises that train over a weekend').toBeGreaterThanOrEqual(2);
  });

  it('varies the knobs independently: no two designed knobs move together across the matrix', () => {
    const designed = KNOBS.filter((k) => k !== 'users' && k !== 'restrictedServers');
    const high = (k: (typeof designed)[number]) => profiles.map((p) => (p[k] as number) > Math.min(...profiles.map((q) => q[k] as number)));
    for (const [i, a] of designed.entries()) {
      for (const b of designed.slice(i + 1)) {
        const [ha, hb] = [high(a), high(b)];
        const agree = ha.filter((x, j) => x === hb[j]).length;
        // Plackett–Burman 12: any two columns agree in exactly half the rows.
        expect(agree, `${a} vs ${b}`).toBe(6);
      }
    }
  });

  it('runs every campaign class in several enterprises, with a varied mix and timing', () => {
    for (const c of CAMPAIGN_CLASSES) {
      const n = profiles.filter((p) => (p.campaigns?.[c]?.instances ?? 0) > 0).length;
      expect(n, c).toBeGreaterThanOrEqual(4);
    }
    const mixes = new Set(profiles.map((p) => JSON.stringify(p.campaigns)));
    expect(mixes.size).toBeGreaterThanOrEqual(3);
  });
});
