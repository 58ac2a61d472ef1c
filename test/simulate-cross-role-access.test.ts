import { describe, expect, it } from 'vitest';
import { DAY, HOUR, redRows, useSimFixture } from './support/sim-fixture.js';

describe('cross-role-access campaign', () => {
  const fixture = useSimFixture();

  it('has staff logging on in office hours to servers that in training only sysadmins or developers used', () => {
    const f = fixture();
    const logons = redRows(f, 'cross-role-access').filter((e) => e.orient === 'LogOn');
    expect(logons.length).toBeGreaterThanOrEqual(4);
    // The description names each victim's role; the files cannot.
    const parts = f.result.summary.campaigns.find((c) => c.id === 'cross-role-access')!.parts;
    for (const p of parts) expect(p.description).toContain('(staff)');
    const roles = f.result.summary.population.roles;
    expect((roles.sysadmin ?? 0) + (roles.developer ?? 0)).toBeGreaterThan(0);
    for (const e of logons) {
      const hour = (e.time % DAY) / HOUR;
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(19);
      const users = new Set(f.train.filter((t) => t.orient === 'LogOn' && t.dst === e.dst && /^U\d+@/.test(t.user)).map((t) => t.user));
      expect(users.size, `${e.dst} used in training`).toBeGreaterThan(0);
      expect(users.has(e.user), `${e.user} had used ${e.dst}`).toBe(false);
      // Only the privileged roles touched it: no more distinct users than there are sysadmins and developers.
      expect(users.size).toBeLessThanOrEqual((roles.sysadmin ?? 0) + (roles.developer ?? 0));
    }
  });
});
