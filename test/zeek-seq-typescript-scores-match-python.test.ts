// Golden test of the zeek-seq kind: a bundle trained through the library on day 008's Benign records of the
// Stratosphere capture (every log type), then day 010's connections (the uid join, featurized by the bundle's record
// tokenizer) scored by the TypeScript scorer and by the PyTorch checkpoint from the same token rows: per-slot
// surprisal, expected token and the max-token raw score agree, each connection read after its host's previous ones.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readZeekConnections } from '../src/adapters/zeek-merge.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { openConnectionFeaturizer } from '../src/kinds/zeek-seq/featurizer.js';
import { slotNames } from '../src/kinds/zeek-seq/connection-event.js';
import { trainZeekSeq } from '../src/kinds/zeek-seq/train.js';
import { Scorer } from '../src/scorer/scorer.js';
import { EventsTsvWriter } from '../src/tokenizer/events-tsv.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { pytorchScores } from './support/pytorch-scores.js';

const TOLERANCE = 1e-4;
const CONNECTIONS = 2000;
const day = (d: string) => shared('zeek', 'stratosphere-labeled', `${d}-zeek-mixed`);

describe.runIf(hasPython() && hasSharedData())('zeek-seq: TypeScript scores equal PyTorch scores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-seq-golden-'));
  const modelDir = join(dir, 'model');
  const eventsPath = join(dir, 'events.tsv');
  const events: CanonicalEvent[] = [];

  beforeAll(async () => {
    const inputs: string[] = [];
    for (const name of readdirSync(day('008')).filter((f) => f.endsWith('.log.labeled.gz'))) {
      let label = -1;
      const kept = gunzipSync(readFileSync(join(day('008'), name))).toString('utf8').split('\n').filter((l) => {
        if (l.startsWith('#fields')) label = l.split('\t').slice(1).indexOf('label');
        return l.startsWith('#') || (l !== '' && l.split('\t')[label] === 'Benign');
      });
      inputs.push(join(dir, name.replace(/\.gz$/, '')));
      writeFileSync(inputs.at(-1) as string, kept.join('\n') + '\n');
    }
    // The sequence model alone: the fused score's parts are tested in zeek-seq-fused-scores-match-a-plain-recomputation.
    await trainZeekSeq({ kind: 'zeek-seq', inputs, modelDir, seed: 1, minCount: 2, strict: false, epochs: 2, fusion: false });
    const scorer = await Scorer.load(modelDir);
    const featurizer = await openConnectionFeaturizer(modelDir, scorer.bundle);
    await scorer.close();
    // One connection per host and second: ties of time and tokens are ordered differently by Python's context (input
    // order) and the scorer's (a hash of the values); the model, not that tie rule, is what this test compares.
    const seen = new Set<string>();
    const files = readdirSync(day('010')).filter((f) => f.endsWith('.log.labeled.gz')).map((f) => join(day('010'), f));
    for await (const c of readZeekConnections(files, createAdapter('zeek'))) {
      const e = featurizer.event(c);
      const key = `${e.entities.src_ip}\t${e.time}`;
      if (seen.has(key)) continue;
      seen.add(key);
      events.push(e);
      if (events.length === CONNECTIONS) break;
    }
    const writer = new EventsTsvWriter(eventsPath, slotNames(featurizer.slots), scorer.bundle.entity_key);
    for (const e of events) await writer.write(e);
    await writer.close();
  }, 600_000);

  it('per slot and in the max-token raw score, the scorer\'s surprisal is PyTorch\'s to 1e-4 nats', async () => {
    const py = pytorchScores(modelDir, eventsPath);
    const scorer = await Scorer.load(modelDir);
    try {
      expect(scorer.bundle.kind).toBe('zeek-seq');
      expect(scorer.bundle.fusion).toBeUndefined();
      expect(scorer.bundle.record_novelty).toBeUndefined();
      expect(scorer.bundle.field_weights!.every((w) => w === 1)).toBe(true);
      const results = await scorer.score(events);
      const slots = scorer.bundle.tokenizer!.fields;
      let worst = 0;
      results.forEach((res, i) => {
        let max = -Infinity;
        for (const f of res.fields) {
          const k = slots.indexOf(f.field);
          worst = Math.max(worst, Math.abs(f.surprisal - py.surprisal[i]![k]!));
          expect(f.expected).toBe(scorer.encoder!.word(k, py.expected[i]![k]!));
          max = Math.max(max, f.surprisal);
        }
        expect(Math.abs(res.raw - max)).toBeLessThan(1e-9);
        expect(Math.abs(res.raw - py.raw[i]!)).toBeLessThan(TOLERANCE);
      });
      expect(worst).toBeLessThan(TOLERANCE);
      expect(results.some((r) => r.raw > 1)).toBe(true);
    } finally {
      await scorer.close();
    }
  });
});
