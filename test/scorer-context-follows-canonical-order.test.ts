// The scorer's history context follows canonical order (event time, then the event's own token ids): the same
// scores whatever order a call's events come in, and however the stream is cut into calls between two times.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { train } from '../src/commands/train.js';
import { canonicalOrder, compareEvents } from '../src/scorer/order.js';
import { Scorer } from '../src/scorer/scorer.js';
import { hasPython, hasSharedData, shared } from './support/env.js';

/** A seeded permutation of 0..n-1. */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let x = seed * 2654435761 + 1;
  for (let i = n - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Two events of one user at one time with different token ids, canonical order first. */
function findTie(events: CanonicalEvent[], rows: Int32Array[]): [number, number] | undefined {
  for (let i = 0; i < events.length; i++) {
    for (let j = i + 1; j < events.length && events[j]!.time === events[i]!.time; j++) {
      if (events[j]!.entities.user !== events[i]!.entities.user) continue;
      const c = compareEvents(events[i]!.time, rows[i]!, events[j]!.time, rows[j]!);
      if (c !== 0) return c < 0 ? [i, j] : [j, i];
    }
  }
  return undefined;
}

describe.runIf(hasSharedData() && hasPython())('scorer history context', () => {
  let scorer: Scorer;
  const events: CanonicalEvent[] = [];

  beforeAll(async () => {
    const modelDir = join(mkdtempSync(join(tmpdir(), 'seqsentry-ctx-')), 'model');
    const day0 = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
    // context 8 given, whatever the default: what is tested is the context itself
    await train({ format: 'lanl', inputs: [day0], modelDir, kind: 'transformer-mlm', epochs: 4, seed: 5, minCount: 1, context: 8, hourToken: true, strict: false });
    scorer = await Scorer.load(modelDir, { maxBatch: 64 });
    for await (const item of readEvents([shared('lanl', 'safekit-heads', 'day1_head_decoded.csv')], createAdapter('lanl'))) {
      if (item.event) events.push(item.event);
      if (events.length === 600) break;
    }
  });
  afterAll(async () => scorer?.close());

  it('gives identical scores whether events come in one call, shuffled, in calls cut between times or one by one', async () => {
    scorer.history.clear();
    const whole = await scorer.score(events);
    const same = events.map((e) => `${e.time}|${e.entities.user}|${e.fields.join('|')}`);
    const byEvent = (results: typeof whole) => {
      const groups = new Map<string, number[]>();
      results.forEach((r, i) => groups.set(same[i]!, [...(groups.get(same[i]!) ?? []), r.raw].sort()));
      return groups;
    };
    expect(new Set(same).size, 'most events are distinct').toBeGreaterThan(events.length * 0.9);
    // LANL times are whole seconds: these 600 events hold many ties, which the canonical order breaks.
    expect(new Set(events.map((e) => e.time)).size).toBeLessThan(events.length);
    scorer.history.clear();
    const order = shuffled(events.length, 11);
    const mixed = await scorer.score(order.map((i) => events[i]!));
    const unshuffled: typeof whole = new Array(events.length);
    order.forEach((i, k) => (unshuffled[i] = mixed[k]!));
    scorer.history.clear();
    // Calls of about 37 events, each ending at a change of time, each shuffled.
    const cuts: typeof whole = [];
    for (let i = 0; i < events.length; ) {
      let end = Math.min(events.length, i + 37);
      while (end < events.length && events[end]!.time === events[end - 1]!.time) end += 1;
      const part = events.slice(i, end);
      const o = shuffled(part.length, i);
      const r = await scorer.score(o.map((k) => part[k]!));
      const back: typeof whole = new Array(part.length);
      o.forEach((k, j) => (back[k] = r[j]!));
      cuts.push(...back);
      i = end;
    }
    // Identical events (same second, same user, same values) may trade their scores: compared as one group.
    expect(byEvent(unshuffled)).toEqual(byEvent(whole));
    expect(byEvent(cuts)).toEqual(byEvent(whole));
    // One by one, in canonical order (event by event the call cannot reorder anything).
    scorer.history.clear();
    const rows = events.map((e) => scorer.encode(e));
    const canonical = canonicalOrder(events.map((e) => e.time), rows).slice(0, 100);
    for (const i of canonical) {
      const [r] = await scorer.score([events[i]!]);
      expect(r!.raw, `event ${i}`).toBeCloseTo(whole[i]!.raw, 5);
    }
  });

  it('differs from arrival order where it should: an event scored before a same-time predecessor arrives', async () => {
    // The first tie of one user whose two events differ: in one call the later-in-canonical-order one sees the other.
    const rows = events.map((e) => scorer.encode(e));
    const pair = findTie(events, rows);
    expect(pair, 'a same-second tie of one user').toBeDefined();
    const [a, b] = pair!; // a before b in canonical order
    scorer.history.clear();
    const together = await scorer.score([events[b]!, events[a]!]);
    scorer.history.clear();
    const [alone] = await scorer.score([events[b]!]);
    expect(Math.abs(together[0]!.raw - alone!.raw)).toBeGreaterThan(1e-6);
  });

  it('uses the context: the same event scores differently after a different history', async () => {
    const target = events[300]!;
    scorer.history.clear();
    const [cold] = await scorer.score([target]);
    scorer.history.clear();
    const sameUser = events.filter((e) => e.entities.user === target.entities.user).slice(0, 8);
    await scorer.score(sameUser);
    const [warm] = await scorer.score([target]);
    expect(Math.abs(cold!.raw - warm!.raw)).toBeGreaterThan(1e-4);
  });

  it('keeps separate histories per scope', async () => {
    const target = events[300]!;
    scorer.history.clear();
    const [cold] = await scorer.score([target], ['index-b']);
    scorer.history.clear();
    await scorer.score(events.slice(0, 50), events.slice(0, 50).map(() => 'index-a'));
    const [otherScope] = await scorer.score([target], ['index-b']);
    expect(otherScope!.raw).toBe(cold!.raw);
  });
});
