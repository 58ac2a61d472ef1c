import { describe, expect, it } from 'vitest';
import { DAY, HOUR, redRows, useSimFixture } from './support/sim-fixture.js';

describe('night-unusual-protocol campaign', () => {
  const fixture = useSimFixture();

  it('logs on at night to servers the user reached from that workstation in training, over an auth type it never used', () => {
    const f = fixture();
    const logons = redRows(f, 'night-unusual-protocol').filter((e) => e.orient === 'LogOn');
    expect(new Set(logons.map((e) => e.instance)).size).toBe(2);
    for (const e of logons) {
      const hour = (e.time % DAY) / HOUR;
      expect(hour, `${e.user} at ${e.time}`).toBeLessThan(6);
      expect(e.logonType).toBe('Network');
      const before = f.train.filter((t) => t.user === e.user && t.orient === 'LogOn');
      expect(before.some((t) => t.src === e.src && t.dst === e.dst), `${e.user} ${e.src}->${e.dst} in train`).toBe(true);
      expect(before.map((t) => t.auth), `${e.user} used ${e.auth} in training`).not.toContain(e.auth);
      expect(['NTLM', 'Kerberos']).toContain(e.auth);
    }
  });
});
