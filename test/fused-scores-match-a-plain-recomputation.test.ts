// The scorer's fast path (memory statistics computed while the ONNX worker runs, pair members looked up without
// splitting keys, recall counted in one pass over the history, hour totals kept) must give every fused score to the
// last bit. The reference here is written out plainly from memory.json and the formulas of entity-memory.ts: string
// pair keys, each recalled event compared by its values (not by hashes), each profile summed per event.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { NEW_MEMBER_HABIT_MIN_AGE } from '../src/memory/memory-spec.js';
import { resolvePairs } from '../src/memory/pairs.js';
import { TailTable } from '../src/memory/tail.js';
import { compareEvents } from '../src/scorer/order.js';
import { Scorer, type ScoreResult } from '../src/scorer/scorer.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

interface PlainMemory {
  events: number;
  until: number;
  counts: Map<string, number>[];
  firsts: Map<string, { events: number; partners: number }>[];
  fans: Map<string, number>[];
  hours: Map<string, number[]>;
  global: number[];
  globalEvents: number;
}

function plainMemory(file: { events: number; until: number; pair_counts: [string, number][][]; hours: [string, number[]][] }): PlainMemory {
  const m: PlainMemory = { events: file.events, until: file.until, counts: [], firsts: [], fans: [], hours: new Map(file.hours), global: new Array(24).fill(0), globalEvents: 0 };
  for (const entries of file.pair_counts) {
    const counts = new Map<string, number>();
    const firsts = new Map<string, { events: number; partners: number }>();
    const fans = new Map<string, number>();
    for (const [key, c] of entries) {
      const [a, b] = key.split('\u0000') as [string, string];
      counts.set(key, c);
      const f = firsts.get(a) ?? { events: 0, partners: 0 };
      f.events += c;
      f.partners += 1;
      firsts.set(a, f);
      fans.set(b, (fans.get(b) ?? 0) + 1);
    }
    m.counts.push(counts);
    m.firsts.push(firsts);
    m.fans.push(fans);
  }
  for (const [, p] of file.hours) for (let h = 0; h < 24; h++) m.global[h] += p[h]!;
  m.globalEvents = m.global.reduce((s, v) => s + v, 0);
  return m;
}

const pairs = resolvePairs(createAdapter('lanl')).used;
const value = (e: CanonicalEvent, ref: (typeof pairs)[number]['members'][number]): string => ('entity' in ref ? e.entities[ref.entity] : e.fields[ref.index]) ?? '';
const keyOf = (e: CanonicalEvent, i: number): string => `${value(e, pairs[i]!.members[0])}\u0000${value(e, pairs[i]!.members[1])}`;
const smoothed = (p: number[], h: number): number => p[h]! + 0.5 * (p[(h + 23) % 24]! + p[(h + 1) % 24]!);

const hourOf = (t: number): number => ((Math.floor(t / 3600) % 24) + 24) % 24;

/**
 * [pairs, novelty, hour:user] of one event, and the names of its pairs seen nowhere. With `habitAge`
 * (fusion.habit_recall_min_age) a known first member's recalled events at least that old count in its novelty and a
 * known user's in its hour profile too (ages in whole seconds after the memory, as the history rows keep them).
 */
function plainStatistics(m: PlainMemory, e: CanonicalEvent, recalled: CanonicalEvent[], habitAge: number | undefined, newAge: number | undefined): { stats: number[]; unseen: string[]; newHabits: boolean } {
  const later = recalled.filter((r) => r.time > m.until);
  const after = (t: number): number => Math.floor(t - m.until);
  const habitual = habitAge === undefined ? [] : later.filter((r) => after(e.time) - after(r.time) >= habitAge);
  // A user the memory never met: its recalled events at least the new-member age old are its own habits.
  const own = newAge === undefined ? [] : habitual.filter((r) => after(e.time) - after(r.time) >= newAge);
  let rarity = 0;
  let novelty = 0;
  const unseen: string[] = [];
  let newHabits = false;
  pairs.forEach((pair, i) => {
    const key = keyOf(e, i);
    const c = m.counts[i]!.get(key) ?? 0;
    const seen = c + later.filter((r) => keyOf(r, i) === key).length;
    if (seen === 0) unseen.push(pair.name);
    rarity -= Math.log(seen + 0.1);
    const [a, b] = key.split('\u0000') as [string, string];
    const f = m.firsts[i]!.get(a);
    const n = f?.events ?? 0;
    let p: number;
    const r = habitual.filter((x) => keyOf(x, i) === key).length;
    const ownHere = 'entity' in pair.members[0] && pair.members[0].entity === 'user' ? own.filter((x) => keyOf(x, i) === key).length : 0;
    if (n <= 0 && ownHere > 0) {
      p = Math.max(ownHere / (own.length + 2), (m.firsts[i]!.size + 1) / (m.events + m.firsts[i]!.size + 1));
      newHabits = true;
    }
    else if (r > 0 && n > 0) p = (c + r) / (n + r + f!.partners + (c > 0 ? 1 : 2));
    else if (n <= 0) p = (m.firsts[i]!.size + 1) / (m.events + m.firsts[i]!.size + 1);
    else if (c > 0) p = c / (n + f!.partners + 1);
    else p = ((f!.partners + 1) / (n + f!.partners + 1)) * (((m.fans[i]!.get(b) ?? 0) + 0.5) / (m.firsts[i]!.size + 1));
    novelty -= Math.log(p);
  });
  const h = hourOf(e.time);
  const g = m.globalEvents > 0 ? (smoothed(m.global, h) + 1e-3) / (2 * m.globalEvents + 0.024) : 1 / 24;
  const profile = m.hours.get(e.entities.user!);
  const total = profile ? profile.reduce((s, v) => s + v, 0) : 0;
  // Each recalled event at its hour to the second after the memory: 1 at h, 0.5 at h ± 1.
  let atHour = 0;
  for (const r of habitual) {
    const d = (hourOf(m.until + after(r.time)) - h + 24) % 24;
    if (d === 0) atHour += 1;
    else if (d === 1 || d === 23) atHour += 0.5;
  }
  const events = total + habitual.length;
  const hour = !profile || events === 0 ? g : (smoothed(profile, h) + atHour + 4 * g) / (2 * events + 4);
  return { stats: [rarity, novelty, -Math.log(hour)], unseen, newHabits };
}

describe.runIf(hasSharedData() && hasPython())('fused scores on the fast path', () => {
  let modelDir = '';
  const events: CanonicalEvent[] = [];
  beforeAll(async () => {
    modelDir = await lanlModel();
    for await (const item of readEvents([shared('lanl', 'safekit-heads', 'day2_head_decoded.csv')], createAdapter('lanl'))) if (item.event) events.push(item.event);
    // The same logons again five hours later: the users the memory never met then recall their earlier ones, old enough
    // to be their habits (fusion.new_member_habit_min_age).
    const first = events.length;
    for (let k = 0; k < first; k++) events.push({ ...events[k]!, time: events[k]!.time + 5 * 3600, source: { ...events[k]!.source, line: first + k + 1 } });
  }, 600_000);

  it('equal, to the last bit, the scores recomputed plainly from memory.json', async () => {
    // One call holds the whole file: each event's history is then every earlier event of its user in canonical order.
    const scorer = await Scorer.load(modelDir, { maxBatch: events.length });
    const results: ScoreResult[] = await scorer.score(events);
    const bundle = scorer.bundle;
    const fusion = bundle.fusion!;
    expect(fusion.recall).toBeGreaterThan(0);
    expect(fusion.habit_recall_min_age).toBeGreaterThan(0);
    expect(fusion.new_member_habit_min_age).toBe(NEW_MEMBER_HABIT_MIN_AGE);
    const memory = plainMemory(JSON.parse(readFileSync(join(modelDir, fusion.memory_file), 'utf8')));
    const tails = fusion.components.map((c) => new TailTable(c.tail));

    const rows = events.map((e) => scorer.encode(e));
    const order = events.map((_, i) => i).sort((a, b) => compareEvents(events[a]!.time, rows[a]!, events[b]!.time, rows[b]!) || a - b);
    const before = new Map<string, CanonicalEvent[]>();
    let unseenSome = 0;
    let recalledSome = 0;
    let newSome = 0;
    for (const i of order) {
      const e = events[i]!;
      const history = before.get(e.entities.user!) ?? [];
      const recalled = history.slice(-fusion.recall!);
      const { stats, unseen, newHabits } = plainStatistics(memory, e, recalled, fusion.habit_recall_min_age, fusion.new_member_habit_min_age);
      if (newHabits) newSome += 1;
      if (unseen.length) unseenSome += 1;
      if (recalled.some((r) => r.time > memory.until)) recalledSome += 1;
      history.push(e);
      before.set(e.entities.user!, history);

      const r = results[i]!;
      const byName = new Map(r.components!.map((c) => [c.name, c]));
      expect(fusion.components.map((c) => c.name)).toEqual(['sequence', 'pairs', 'novelty', 'hour:user']);
      // Every memory component's tail probability, from the plain statistics through the bundle's tail table.
      stats.forEach((s, k) => expect(byName.get(fusion.components[k + 1]!.name)!.log_p).toBe(tails[k + 1]!.logP(s)));
      // raw = -sum of ln p in component order; anomaly_score its calibrated rank.
      let raw = 0;
      for (const c of fusion.components) raw -= byName.get(c.name)!.log_p;
      expect(r.raw).toBe(raw);
      expect(r.anomaly_score).toBe(scorer.calibrator.score(raw));
      expect(byName.get('pairs')!.unseen ?? []).toEqual(unseen);
    }
    await scorer.close();
    // The file exercises what changed: new pairs and recalled events later than the memory.
    expect(unseenSome).toBeGreaterThan(50);
    expect(recalledSome).toBeGreaterThan(500);
    expect(newSome).toBeGreaterThan(100);
  });
});
