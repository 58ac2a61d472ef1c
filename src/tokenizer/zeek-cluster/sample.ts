// A bounded, seeded sample of feature vectors per Zeek log type, read from log files through the zeek adapter: what
// models/zeek_vocab.py clusters. A reservoir per log type keeps memory at `size` rows whatever the input's length,
// and every record has the same chance to be kept, so a busy hour does not crowd out the rest of the day.
import { newReadStats, readEvents, type ReadStats } from '../../adapters/read.js';
import type { CanonicalEvent } from '../../core/event.js';
import { createAdapter } from '../../adapters/registry.js';
import { featureTable, featureVector, logTypeOf, type FeatureKind, type FeatureValue } from './features.js';

export interface LogTypeRows {
  features: { name: string; kind: FeatureKind }[];
  rows: FeatureValue[][];
  /** Records of this log type read (the sample holds at most the sample size of them). */
  seen: number;
}

export interface FeatureSample {
  log_types: Record<string, LogTypeRows>;
}

/** FNV-1a of a text: the log type's share of the seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32: a small seeded generator, so the same files and seed give the same sample. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Up to `size` feature vectors per log type of the events it is given (reservoir sampling, seeded): the same events
 * in the same order and seed give the same sample. One generator per log type: a log type's sample does not change
 * when events of other types are added or reordered.
 */
export class FeatureSampler {
  private readonly out: Record<string, LogTypeRows> = {};
  private readonly randoms = new Map<string, () => number>();

  constructor(
    private readonly size: number,
    private readonly seed: number,
  ) {}

  add(event: CanonicalEvent): void {
    const logType = logTypeOf(event);
    const table = logType === undefined ? undefined : featureTable(logType);
    if (logType === undefined || table === undefined) return;
    let lt = this.out[logType];
    if (lt === undefined) {
      lt = { features: table.map((f) => ({ name: f.name, kind: f.kind })), rows: [], seen: 0 };
      this.out[logType] = lt;
      this.randoms.set(logType, seeded((this.seed ^ fnv1a(logType)) >>> 0));
    }
    lt.seen += 1;
    if (lt.rows.length < this.size) lt.rows.push(featureVector(event, table));
    else {
      const j = Math.floor((this.randoms.get(logType) as () => number)() * lt.seen);
      if (j < this.size) lt.rows[j] = featureVector(event, table);
    }
  }

  sample(): FeatureSample {
    return { log_types: this.out };
  }
}

/**
 * Up to `size` feature vectors per log type from `files` (FeatureSampler). Unreadable records are counted in `stats`
 * (and kept out), as every reader of the zeek adapter does.
 */
export async function sampleFeatureRows(files: readonly string[], size: number, seed: number, stats: ReadStats = newReadStats()): Promise<FeatureSample> {
  const sampler = new FeatureSampler(size, seed);
  for await (const item of readEvents(files, createAdapter('zeek'), stats)) if (item.event !== undefined) sampler.add(item.event);
  return sampler.sample();
}
