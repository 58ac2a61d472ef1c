// A bounded, seeded sample of feature vectors per Zeek log type, read from log files through the zeek adapter: what
// models/zeek_vocab.py clusters. A reservoir per log type keeps memory at `size` rows whatever the input's length,
// and every record has the same chance to be kept, so a busy hour does not crowd out the rest of the day.
import { newReadStats, readEvents, type ReadStats } from '../../adapters/read.js';
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
 * Up to `size` feature vectors per log type from `files` (reservoir sampling, seeded). Unreadable records are
 * counted in `stats` (and kept out), as every reader of the zeek adapter does.
 */
export async function sampleFeatureRows(files: readonly string[], size: number, seed: number, stats: ReadStats = newReadStats()): Promise<FeatureSample> {
  const out: Record<string, LogTypeRows> = {};
  // one generator per log type: a log type's sample does not change when files of other types are added or reordered
  const randoms = new Map<string, () => number>();
  for await (const item of readEvents(files, createAdapter('zeek'), stats)) {
    if (item.event === undefined) continue;
    const logType = logTypeOf(item.event);
    const table = logType === undefined ? undefined : featureTable(logType);
    if (logType === undefined || table === undefined) continue;
    let lt = out[logType];
    if (lt === undefined) {
      lt = { features: table.map((f) => ({ name: f.name, kind: f.kind })), rows: [], seen: 0 };
      out[logType] = lt;
      randoms.set(logType, seeded((seed ^ fnv1a(logType)) >>> 0));
    }
    lt.seen += 1;
    if (lt.rows.length < size) lt.rows.push(featureVector(item.event, table));
    else {
      const j = Math.floor((randoms.get(logType) as () => number)() * lt.seen);
      if (j < size) lt.rows[j] = featureVector(item.event, table);
    }
  }
  return { log_types: out };
}
