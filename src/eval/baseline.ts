// The "rare user for this host" rule SIEMs ship, as a comparison row: summed -log(pair count + 0.1).
import type { Adapter } from '../adapters/adapter.js';
import { newReadStats, readEvents, type ReadStats } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { pairKey, resolvePairs, type PairSpec } from '../memory/pairs.js';
import { ScoredEventsBuilder } from './columns.js';
import { eventLabelKey, type Labels } from './labels.js';
import type { ScoredEvents } from './types.js';

export const BASELINE_NAME = 'rarity-baseline';
/** Added to every count so an unseen pair scores -log(0.1) = +2.30 instead of infinity. */
export const PSEUDO_COUNT = 0.1;

export interface RarityPairs {
  /** Names of the pairs this adapter can supply, e.g. `user+src_host`. */
  used: string[];
  /** Pairs skipped because the format lacks a member, with the reason, for the report. */
  missing: string[];
  specs: PairSpec[];
}

/** Resolves the pairs against an adapter; a pair whose member the format lacks is skipped and named. */
export function rarityPairs(adapter: Adapter): RarityPairs {
  const { used, missing } = resolvePairs(adapter);
  return { used: used.map((p) => p.name), missing, specs: used };
}

/** Pair counts from training events only; one map per pair, keyed `a\u0000b`. */
export class RarityCounts {
  readonly counts: Map<string, number>[];
  events = 0;

  constructor(readonly pairs: RarityPairs) {
    this.counts = pairs.specs.map(() => new Map());
  }

  add(event: CanonicalEvent): void {
    this.events += 1;
    this.pairs.specs.forEach((pair, i) => {
      const map = this.counts[i] as Map<string, number>;
      const key = pairKey(event, pair);
      map.set(key, (map.get(key) ?? 0) + 1);
    });
  }

  /** Higher = rarer: sum over pairs of -ln(count + 0.1). */
  score(event: CanonicalEvent): number {
    let s = 0;
    this.pairs.specs.forEach((pair, i) => {
      s -= Math.log(((this.counts[i] as Map<string, number>).get(pairKey(event, pair)) ?? 0) + PSEUDO_COUNT);
    });
    return s;
  }
}

export interface BaselineResult {
  scored: ScoredEvents;
  pairs: RarityPairs;
  trainStats: ReadStats;
  testStats: ReadStats;
}

/** Counts pairs over the training files, then scores the test file's events through the same adapter. */
export async function runRarityBaseline(trainFiles: readonly string[], testFile: string, adapter: Adapter, labels: Labels): Promise<BaselineResult> {
  const pairs = rarityPairs(adapter);
  const counts = new RarityCounts(pairs);
  const trainStats = newReadStats();
  for await (const item of readEvents(trainFiles, adapter, trainStats)) {
    if (item.event) counts.add(item.event);
  }
  const testStats = newReadStats();
  const builder = new ScoredEventsBuilder(BASELINE_NAME, testFile, labels);
  for await (const item of readEvents([testFile], adapter, testStats)) {
    if (item.error) {
      builder.addError(item.error.message);
      continue;
    }
    const s = counts.score(item.event);
    // The score is its own tie-breaker: the baseline has no separate raw value.
    builder.add(s, s, eventLabelKey(labels, item.event.time, item.event.entities), item.source.line);
  }
  return { scored: builder.finish(), pairs, trainStats, testStats };
}
