// `score`'s output lines are built by hand (src/output/score-line.ts) for speed; each must be, byte for byte, what
// JSON.stringify writes for the same line with its properties in the documented order (the bytes fast-json-stringify
// wrote before): real scored events of a fixed input, and the values a generic serializer handles apart.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import { compactLine, scoreLine, type ScoreLine } from '../src/output/score-line.js';
import { Scorer, type ScoreResult } from '../src/scorer/scorer.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

/** The plain recomputation: a fresh object in the documented property order, through JSON.stringify. */
function plain(l: ScoreLine): string {
  return JSON.stringify({
    line: l.line,
    time: l.time,
    entities: l.entities,
    anomaly_score: l.anomaly_score,
    raw: l.raw,
    is_anomaly: l.is_anomaly,
    fields: l.fields.map((f) => ({ field: f.field, value: f.value, surprisal: f.surprisal, expected: f.expected })),
    components: l.components?.map((c) => ({ name: c.name, log_p: c.log_p, unseen: c.unseen })),
  });
}

const plainCompact = (line: number, score: number, field?: string) => JSON.stringify({ line, anomaly_score: score, field });

describe('score output lines', () => {
  it('write what JSON.stringify writes for awkward values', () => {
    const line: ScoreLine = {
      line: 7,
      time: 1.5e21,
      entities: { user: 'a"b\\c', src_host: '\u0001\u2028é😀', dst_host: '\ud800lone', empty: '' },
      anomaly_score: 0.1 + 0.2,
      raw: Infinity,
      is_anomaly: true,
      fields: [
        { field: 'auth_type', value: 'x'.repeat(60) + '"', surprisal: -0, expected: '<oov>' },
        { field: 'we"ird', value: '' },
      ],
      components: [
        { name: 'pairs', log_p: -Infinity, unseen: ['user+dst_host', 'src\nhost'] },
        { name: 'sequence', log_p: 1e-300 },
      ],
    };
    expect(scoreLine(line)).toBe(plain(line));
    const { components: _, ...withoutComponents } = line;
    expect(scoreLine(withoutComponents)).toBe(plain(withoutComponents));
    expect(scoreLine({ ...line, fields: [], components: [] })).toBe(plain({ ...line, fields: [], components: [] }));
    expect(compactLine(3, 5e-324, 'dst_host')).toBe(plainCompact(3, 5e-324, 'dst_host'));
    expect(compactLine(3, 0.25, undefined)).toBe(plainCompact(3, 0.25));
    expect(compactLine(4, 0.5, 'a"\u0000')).toBe(plainCompact(4, 0.5, 'a"\u0000'));
    expect(() => scoreLine({ ...line, raw: NaN })).toThrow(/NaN/);
  });

  describe.runIf(hasSharedData() && hasPython())('on scored events', () => {
    let modelDir = '';
    beforeAll(async () => {
      modelDir = await lanlModel();
    }, 600_000);

    it('write every scored event of a LANL file as JSON.stringify does, in full and compact', async () => {
      const input = shared('lanl', 'safekit-heads', 'day2_head_decoded.csv');
      expect(readFileSync(input, 'utf8').length).toBeGreaterThan(0);
      const events: CanonicalEvent[] = [];
      for await (const item of readEvents([input], createAdapter('lanl'))) if (item.event) events.push(item.event);
      const scorer = await Scorer.load(modelDir, { maxBatch: 256, keepAllHistory: true });
      scorer.remember(events, undefined, events.map((_, i) => i));
      const results: ScoreResult[] = [];
      for (let i = 0; i < events.length; i += 256) {
        const batch = events.slice(i, i + 256);
        results.push(...(await scorer.score(batch, undefined, batch.map((_, k) => i + k), 0.5)));
      }
      await scorer.close();
      expect(results.length).toBeGreaterThan(1000);
      let withComponents = 0;
      results.forEach((r, i) => {
        const e = events[i] as CanonicalEvent;
        const l: ScoreLine = { line: e.source.line, time: e.time, entities: e.entities, ...r };
        if (r.components) withComponents += 1;
        expect(scoreLine(l)).toBe(plain(l));
        expect(compactLine(e.source.line, r.anomaly_score, r.fields[0]?.field)).toBe(plainCompact(e.source.line, r.anomaly_score, r.fields[0]?.field));
      });
      expect(withComponents).toBe(results.length);
    }, 300_000);
  });
});
