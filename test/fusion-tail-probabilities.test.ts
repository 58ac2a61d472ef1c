// The fusion's building blocks: tail tables give P(X >= x) of held-out values exactly, the memory's statistics
// survive a save and load, and the fused score of held-out events averages 1 nat per component (-ln U, U uniform).
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { EntityMemory, hourOfDay } from '../src/memory/entity-memory.js';
import { fitTail, TailTable } from '../src/memory/tail.js';
import { resolvePairs } from '../src/memory/pairs.js';
import { createAdapter } from '../src/adapters/registry.js';
import { componentReason } from '../src/service/anomaly-fields.js';

function event(time: number, user: string, src: string, dst: string, auth = 'Kerberos'): CanonicalEvent {
  return { time, entities: { user, src_host: src, dst_host: dst }, fields: [user, user, src, dst, auth, 'Network', 'LogOn', 'Success'], raw: '', source: { file: 't', line: 1 } };
}

describe('tail tables', () => {
  it('answer P(X >= x) exactly at held-out values and interpolate ln P between them', () => {
    const t = new TailTable(fitTail([1, 2, 2, 3, 3, 3, 4, 4, 4, 4]));
    expect(Math.exp(t.logP(1))).toBeCloseTo(1, 12);
    expect(Math.exp(t.logP(2))).toBeCloseTo(0.9, 12);
    expect(t.logP(2.5)).toBeCloseTo((Math.log(0.9) + Math.log(0.7)) / 2, 12);
    expect(Math.exp(t.logP(4))).toBeCloseTo(0.4, 12);
    expect(Math.exp(t.logP(0))).toBeCloseTo(1, 12);
  });

  it('keep decreasing beyond the largest held-out value and stay monotone on a thinned table', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => Math.sqrt(i * 7919 % 20_000));
    const data = fitTail(values);
    expect(data.values.length).toBeLessThanOrEqual(1500);
    const t = new TailTable(data);
    let last = 0;
    for (let x = -1; x < 200; x += 0.37) {
      const lp = t.logP(x);
      expect(lp).toBeLessThanOrEqual(last + 1e-12);
      last = lp;
    }
    expect(t.logP(1000)).toBeLessThan(t.logP(200));
    // Thinned, still close to the empirical survival in the body.
    const sorted = [...values].sort((a, b) => a - b);
    const x = sorted[15_000] as number;
    expect(Math.exp(t.logP(x))).toBeCloseTo(5_000 / 20_000, 2);
  });

  it('give held-out values a mean -ln p of about 1 (p is uniform on its own sample)', () => {
    const values = Array.from({ length: 5_000 }, (_, i) => ((i * 2654435761) % 4093) / 97);
    const t = new TailTable(fitTail(values));
    const mean = values.reduce((s, v) => s - t.logP(v), 0) / values.length;
    expect(mean).toBeGreaterThan(0.9);
    expect(mean).toBeLessThan(1.1);
  });
});

describe('entity memory', () => {
  const spec = { pairs: resolvePairs(createAdapter('lanl')).used, hour_entity: 'user' };

  it('counts pairs and hour habits, and scores unseen pairs and an unusual hour as rarer', () => {
    const m = new EntityMemory(spec);
    for (let d = 0; d < 20; d++) for (let h = 9; h < 17; h++) m.add(event(d * 86400 + h * 3600, 'U1', 'C1', 'C2'));
    const out = new Float64Array(3);
    const usual = new Float64Array(3);
    m.statistics(event(30 * 86400 + 10 * 3600, 'U1', 'C1', 'C2'), usual, 0);
    const odd = event(30 * 86400 + 3 * 3600, 'U1', 'C1', 'C9', 'NTLM');
    m.statistics(odd, out, 0);
    expect(m.componentNames).toEqual(['pairs', 'novelty', 'hour:user']);
    expect(usual[0]).toBeCloseTo(-4 * Math.log(160.1), 12); // every pair seen 160 times
    // user+src_host seen 160 times; user+dst_host, src_host+dst_host and user+auth_type never
    expect(out[0]).toBeCloseTo(-Math.log(160.1) - 3 * Math.log(0.1), 12);
    expect(m.unseenPairs(odd)).toEqual(['user+dst_host', 'src_host+dst_host', 'user+auth_type']);
    expect(m.lastUnseenPairs()).toEqual(m.unseenPairs(odd)); // odd was the last one through statistics()
    // novelty: 160 events over one partner each; seen 160 / 162, new 2 / 162 × popularity (0 + 0.5) / (1 + 1):
    // no other first member ever met C9 or NTLM
    expect(usual[1]).toBeCloseTo(-4 * Math.log(160 / 162), 12);
    expect(out[1]).toBeCloseTo(-Math.log(160 / 162) - 3 * Math.log((2 / 162) * 0.25), 12);
    expect(out[2]).toBeGreaterThan((usual[2] as number) + 2); // 03:00 for a 9-to-5 user
    expect(hourOfDay(-3600)).toBe(23);
    expect(componentReason({ name: 'pairs', log_p: -9, unseen: m.unseenPairs(odd) })).toBe('pairs:user+dst_host,src_host+dst_host,user+auth_type');
    expect(componentReason({ name: 'hour:user', log_p: -3 })).toBe('hour:user');
  });

  it('finds a new partner rarer for an entity of fixed habits than for one that meets new partners daily', () => {
    const m = new EntityMemory(spec);
    for (let i = 0; i < 200; i++) {
      m.add(event(i * 3600, 'steady', 'C1', `S${i % 2}`));
      m.add(event(i * 3600, 'admin', 'C2', `S${i}`));
    }
    const steady = new Float64Array(3);
    const admin = new Float64Array(3);
    m.statistics(event(200 * 3600, 'steady', 'C1', 'S-new'), steady, 0);
    m.statistics(event(200 * 3600, 'admin', 'C2', 'S-new'), admin, 0);
    expect(steady[0]).toBeCloseTo(admin[0]!, 12); // the rarity rule cannot tell them apart
    expect(steady[1]).toBeGreaterThan(admin[1]! + 5);
    // a key whose first member holds NUL splits back to that member
    const nul = event(1, 'U\u0000x', 'C1', 'C2');
    m.add(nul);
    expect(m.firsts[0]!.get('U\uFFFDx')).toEqual({ events: 1, partners: 1, byPartner: new Map([['C1', 1]]) });
  });

  it('finds a new partner that most entities meet less rare than one nobody else meets', () => {
    const m = new EntityMemory(spec);
    // 20 users each on their own workstation, all logging on to the shared file server F; one admin server A
    for (let u = 0; u < 20; u++) for (let i = 0; i < 50; i++) m.add(event(u * 100_000 + i * 600, `U${u}`, `W${u}`, 'F'));
    for (let i = 0; i < 50; i++) m.add(event(3_000_000 + i * 600, 'admin', 'WA', 'A'));
    // 13 of them also use F2
    for (let u = 2; u < 15; u++) m.add(event(3_500_000 + u, `U${u}`, `W${u}`, 'F2'));
    const popular = new Float64Array(3);
    const lonely = new Float64Array(3);
    m.statistics(event(4_000_000, 'U1', 'W1', 'F2'), popular, 0); // F2: 13 of 21 users have been there
    m.statistics(event(4_000_000, 'U1', 'W1', 'A'), lonely, 0); // A: only the admin
    expect(popular[0]).toBeCloseTo(lonely[0]!, 12);
    // user+dst_host and src_host+dst_host both back off: ln((13.5 / 22) / (1.5 / 22)) each
    expect(lonely[1]! - popular[1]!).toBeCloseTo(2 * Math.log(13.5 / 1.5), 12);
  });

  it('scores an event it holds, left out, exactly as a memory without it would', () => {
    const events = Array.from({ length: 300 }, (_, i) => event(i * 977, `U${i % 7}`, `C${i % 5}`, `C${(i * 3) % 11}`, i % 4 ? 'Kerberos' : 'NTLM'));
    events.push(event(5, 'U-once', 'C1', 'C-once')); // left out, a new entity: new pairs, the global hour profile
    events.push(event(7, 'U1', 'C1', 'C-rare')); // left out, a known user's only partner of its kind: one fan fewer
    const all = new EntityMemory(spec);
    for (const e of events) all.add(e);
    for (const k of [0, 17, 151, 299, 300, 301]) {
      const without = new EntityMemory(spec);
      events.forEach((e, i) => { if (i !== k) without.add(e); });
      const a = new Float64Array(3);
      const b = new Float64Array(3);
      all.statistics(events[k]!, a, 0, true);
      without.statistics(events[k]!, b, 0);
      for (let c = 0; c < 3; c++) expect(a[c]).toBeCloseTo(b[c]!, 12);
    }
  });

  it('saves and loads to the same statistics, and bounds hostile keys', () => {
    const m = new EntityMemory(spec);
    const long = 'U'.repeat(100_000);
    for (let i = 0; i < 50; i++) m.add(event(i * 1000, i % 2 ? long : 'U2', `C${i % 5}`, 'C7'));
    const back = EntityMemory.fromFile(JSON.parse(JSON.stringify(m.toFile())));
    for (const e of [event(999, long, 'C1', 'C7'), event(123456, 'U3', 'C2', 'C8')]) {
      const a = new Float64Array(3);
      const b = new Float64Array(3);
      m.statistics(e, a, 0);
      back.statistics(e, b, 0);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    for (const map of m.counts) for (const key of map.keys()) expect(key.length).toBeLessThanOrEqual(2 * 256 + 1);
  });
});
