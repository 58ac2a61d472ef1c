// The "rare user for this host" rule SIEMs ship, as a comparison row: summed -log(pair count + 0.1).
import type { Adapter } from '../adapters/adapter.js';
import { newReadStats, readEvents, type ReadStats } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { ScoredEventsBuilder } from './columns.js';
import { eventLabelKey, type Labels } from './labels.js';
import type { ScoredEvents } from './types.js';

export const BASELINE_NAME = 'rarity-baseline';
/** Added to every count so an unseen pair scores -log(0.1) = +2.30 instead of infinity. */
export const PSEUDO_COUNT = 0.1;

/** Where a pair member comes from: an entity key, or a categorical field by adapter field name. */
type Member = { entity: string } | { field: string };
const PAIRS: readonly (readonly [Member, Member])[] = Object.freeze([
  [{ entity: 'user' }, { entity: 'src_host' }],
  [{ entity: 'user' }, { entity: 'dst_host' }],
  [{ entity: 'src_host' }, { entity: 'dst_host' }],
  [{ entity: 'user' }, { field: 'auth_type' }],
]);

function memberName(m: Member): string {
  return 'entity' in m ? m.entity : m.field;
}

type Getter = (e: CanonicalEvent) => string | undefined;

export interface RarityPairs {
  /** Names of the pairs this adapter can supply, e.g. `user+src_host`. */
  used: string[];
  /** Pairs skipped because the format lacks a member, with the reason, for the report. */
  missing: string[];
  getters: (readonly [Getter, Getter])[];
}

/** Resolves the pairs against an adapter; a pair whose member the format lacks is skipped and named. */
export function rarityPairs(adapter: Adapter): RarityPairs {
  const used: string[] = [];
  const missing: string[] = [];
  const getters: (readonly [Getter, Getter])[] = [];
  for (const pair of PAIRS) {
    const name = pair.map(memberName).join('+');
    const resolved = pair.map((m): Getter | string => {
      if ('entity' in m) return adapter.entityNames.includes(m.entity) ? (e) => e.entities[m.entity] : `no entity "${m.entity}"`;
      const idx = adapter.fieldNames.indexOf(m.field);
      return idx >= 0 ? (e) => e.fields[idx] : `no field "${m.field}"`;
    });
    const problem = resolved.find((r): r is string => typeof r === 'string');
    if (problem !== undefined) {
      missing.push(`${name} (format ${adapter.name} has ${problem})`);
      continue;
    }
    used.push(name);
    getters.push([resolved[0] as Getter, resolved[1] as Getter]);
  }
  return { used, missing, getters };
}

/** Pair counts from training events only; one map per pair, keyed `a\u0000b`. */
export class RarityCounts {
  readonly counts: Map<string, number>[];
  events = 0;

  constructor(readonly pairs: RarityPairs) {
    this.counts = pairs.getters.map(() => new Map());
  }

  private key(event: CanonicalEvent, i: number): string {
    const [a, b] = this.pairs.getters[i] as readonly [Getter, Getter];
    return `${a(event) ?? ''}\u0000${b(event) ?? ''}`;
  }

  add(event: CanonicalEvent): void {
    this.events += 1;
    for (let i = 0; i < this.counts.length; i++) {
      const map = this.counts[i] as Map<string, number>;
      const key = this.key(event, i);
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  }

  /** Higher = rarer: sum over pairs of -ln(count + 0.1). */
  score(event: CanonicalEvent): number {
    let s = 0;
    for (let i = 0; i < this.counts.length; i++) {
      s -= Math.log(((this.counts[i] as Map<string, number>).get(this.key(event, i)) ?? 0) + PSEUDO_COUNT);
    }
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
    builder.add(s, s, eventLabelKey(item.event.time, item.event.entities), item.source.line);
  }
  return { scored: builder.finish(), pairs, trainStats, testStats };
}
