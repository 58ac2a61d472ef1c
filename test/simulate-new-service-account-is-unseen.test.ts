import { describe, expect, it } from 'vitest';
import { redRows, useSimFixture } from './support/sim-fixture.js';

describe('new-service-account campaign', () => {
  const fixture = useSimFixture();

  it('is an account training never saw, connecting server to server on a regular period', () => {
    const f = fixture();
    const events = redRows(f, 'new-service-account');
    const users = new Set(events.map((e) => e.user));
    expect(users.size).toBe(1);
    const [user] = [...users];
    expect(f.train.some((t) => t.user === user || t.dstUser === user)).toBe(false);
    // Nothing benign in the test days uses it either: every one of its events is labelled.
    expect(f.test.filter((t) => t.user === user)).toHaveLength(events.length);
    const logons = events.filter((e) => e.orient === 'LogOn').sort((a, b) => a.time - b.time);
    expect(logons).toHaveLength(6);
    expect(new Set(logons.map((e) => e.src)).size).toBe(1);
    for (const e of logons) {
      expect(e.auth).toBe('Kerberos');
      expect(e.logonType).toBe('Network');
      expect(e.src).not.toBe(e.dst);
    }
    const gaps = logons.slice(1).map((e, i) => e.time - logons[i]!.time);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(60);
  });
});
