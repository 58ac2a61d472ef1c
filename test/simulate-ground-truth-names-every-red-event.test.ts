import { describe, expect, it } from 'vitest';
import { useSimFixture } from './support/sim-fixture.js';

describe('campaigns.tsv ground truth', () => {
  const fixture = useSimFixture();

  it('has one row per redteam.txt line, same keys in the same order, each with a class and an instance', () => {
    const f = fixture();
    expect(f.truth.length).toBe(f.labels.length);
    expect(f.truth.map((t) => `${t.time},${t.user},${t.src},${t.dst}`)).toEqual(f.labels);
    for (const t of f.truth) expect(t.instance.startsWith(`${t.cls}#`), `${t.cls} ${t.instance}`).toBe(true);
  });

  it('attributes events to exactly the classes and instances the profile asked for', () => {
    const f = fixture();
    const instances = new Set(f.truth.map((t) => t.instance));
    expect([...instances].sort()).toEqual([
      'cross-role-access#1', 'cross-role-access#2', 'new-service-account#1', 'night-unusual-protocol#1', 'night-unusual-protocol#2', 'password-spray#1', 'slow-lateral#1',
    ]);
    for (const c of f.result.summary.campaigns) expect(f.truth.filter((t) => t.cls === c.id)).toHaveLength(c.events);
  });
});
