// charfreq on real auth.log lines: trained on the first three quarters of a sample, it scores the rest; the same
// lines with a negative term or odd characters appended rank above the normal messages, and the explanation names
// the term and the characters. A source training never saw is scored against the population.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer, type ScoreResult } from '../src/scorer/scorer.js';
import { eventsOf, SAMPLES, trainCharfreqOn } from './support/charfreq-fixture.js';
import { hasSharedData } from './support/env.js';

/** Share of `normal` strictly below `x`. */
const rankAmong = (x: number, normal: readonly number[]) => normal.filter((s) => s < x).length / normal.length;

/** Lines of `rest` that still read as events with `suffix` appended, original and changed, up to `n`. */
function injected(rest: readonly string[], suffix: string, n: number): Array<{ original: CanonicalEvent; changed: CanonicalEvent }> {
  const pairs: Array<{ original: CanonicalEvent; changed: CanonicalEvent }> = [];
  for (const { line, event } of eventsOf(rest)) {
    const [changed] = eventsOf([line + suffix]);
    if (changed?.event.text?.endsWith(suffix)) pairs.push({ original: event, changed: changed.event });
    if (pairs.length === n) break;
  }
  return pairs;
}

describe.runIf(hasSharedData()).each(Object.entries(SAMPLES))('charfreq on the real %s sample', (_name, sample) => {
  it('ranks a message with an injected negative term or odd characters above normal ones, and names them', async () => {
    const { modelDir, rest } = await trainCharfreqOn(sample);
    const scorer = await Scorer.load(modelDir);
    try {
      const normal = (await scorer.score(eventsOf(rest).map((e) => e.event))).map((r) => r.anomaly_score);
      expect(normal.length).toBeGreaterThan(200);

      for (const [suffix, expectField, expectValues] of [
        [' segfault', 'negative_term', ['segfault']],
        [' `{|}`\u0007', 'unusual_character', ['`', '{', '|', '}', 'U+0007']],
      ] as const) {
        const pairs = injected(rest, suffix, 20);
        expect(pairs.length).toBeGreaterThanOrEqual(10);
        const before = await scorer.score(pairs.map((p) => p.original));
        const after = await scorer.score(pairs.map((p) => p.changed));
        after.forEach((r: ScoreResult, i) => {
          expect(r.anomaly_score, suffix).toBeGreaterThan((before[i] as ScoreResult).anomaly_score);
          // Above 99% of the normal messages the model never saw.
          expect(rankAmong(r.anomaly_score, normal), suffix).toBeGreaterThanOrEqual(0.99);
          const named = r.fields.filter((f) => f.field === expectField).map((f) => f.value);
          expect(named, suffix).toEqual(expect.arrayContaining([...expectValues]));
          // Named before the message's overall character surprise (a line may also hold a term of its own).
          const first = r.fields.findIndex((f) => f.field === expectField);
          expect(first, suffix).toBeLessThan(r.fields.findIndex((f) => f.field === 'characters'));
        });
      }

      // A host training never saw: scored against every source's characters, never an error.
      const [unseen] = eventsOf([rest.find((l) => eventsOf([l]).length === 1)!.replace(/^(\S+\s+\S+\s+\S+) \S+/, '$1 never-seen-host')]);
      const [r] = await scorer.score([unseen!.event]);
      expect(r!.anomaly_score).toBeGreaterThanOrEqual(0);
      expect(r!.fields.find((f) => f.field === 'characters')?.expected).toMatch(/all sources/);
    } finally {
      await scorer.close();
    }
  }, 120_000);
});
