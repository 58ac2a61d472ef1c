import { describe, expect, it } from 'vitest';
import { DAY, HOUR, redRows, useSimFixture } from './support/sim-fixture.js';

describe('slow-lateral campaign', () => {
  const fixture = useSimFixture();

  it('hops a handful of times, hours apart, in office hours, over both test days, to hosts the user never reached', () => {
    const f = fixture();
    const hops = redRows(f, 'slow-lateral').filter((e) => e.orient === 'LogOn').sort((a, b) => a.time - b.time);
    expect(hops).toHaveLength(5);
    expect(new Set(hops.map((e) => e.user)).size).toBe(1);
    expect(new Set(hops.map((e) => Math.floor(e.time / DAY)))).toEqual(new Set([3, 4]));
    for (const [i, e] of hops.entries()) {
      const hour = (e.time % DAY) / HOUR;
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(17);
      expect(f.train.some((t) => t.user === e.user && t.dst === e.dst && t.orient === 'LogOn'), `${e.user} reached ${e.dst} in training`).toBe(false);
      if (i > 0) {
        expect(e.time - hops[i - 1]!.time).toBeGreaterThanOrEqual(HOUR);
        // A chain: each hop leaves from where the previous one landed.
        expect(e.src).toBe(hops[i - 1]!.dst);
      }
    }
  });
});
