// The "rare user for this host" rule SIEMs ship, as comparison rows: summed -log(pair count + 0.1), with the counts of
// the training days (frozen), and the same counts kept up to date over the test days, each event counted once it is
// scored (updating): what a SIEM rule over a rolling window does, and what the model's recall of recent events does.
import type { Adapter } from '../adapters/adapter.js';
import { newReadStats, readEvents, type ReadStats } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { pairKey, resolvePairs, type PairSpec } from '../memory/pairs.js';
import { ScoredEventsBuilder } from './columns.js';
import { eventLabelKey, type Labels } from './labels.js';
import type { ScoredEvents } from './types.js';

export const BASELINE_NAME = 'rarity-baseline';
export const UPDATING_BASELINE_NAME = 'rarity-baseline-updating';
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

  /**
   * The updating rule's scores of `events` (by index): in time order (input order within a time), each scored, then
   * counted. Adds the events to these counts.
   */
  scoreUpdating(events: readonly CanonicalEvent[]): Float64Array {
    const out = new Float64Array(events.length);
    const order = events.map((_, i) => i).sort((a, b) => (events[a] as CanonicalEvent).time - (events[b] as CanonicalEvent).time || a - b);
    for (const i of order) {
      out[i] = this.score(events[i] as CanonicalEvent);
      this.add(events[i] as CanonicalEvent);
    }
    return out;
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
  /** The updating rule's row. */
  updating: ScoredEvents;
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
  const updating = new ScoredEventsBuilder(UPDATING_BASELINE_NAME, testFile, labels);
  const events: CanonicalEvent[] = [];
  const lines: number[] = [];
  for await (const item of readEvents([testFile], adapter, testStats)) {
    if (item.error) {
      builder.addError(item.error.message);
      updating.addError(item.error.message);
      continue;
    }
    events.push(item.event);
    lines.push(item.source.line);
  }
  const frozen = events.map((e) => counts.score(e));
  const kept = counts.scoreUpdating(events);
  events.forEach((e, i) => {
    const key = eventLabelKey(labels, e.time, e.entities);
    // The score is its own tie-breaker: the baseline has no separate raw value.
    builder.add(frozen[i] as number, frozen[i] as number, key, lines[i] as number);
    updating.add(kept[i] as number, kept[i] as number, key, lines[i] as number);
  });
  return { scored: builder.finish(), updating: updating.finish(), pairs, trainStats, testStats };
}
