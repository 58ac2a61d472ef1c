// Fuses the sequence model with the per-entity memory: each component's statistic becomes its tail probability
// under held-out normal traffic, and the event's raw score is the sum of -ln p (Fisher's method without the
// chi-square step, which would not change the order). No component can drown another, and none is hand-weighted.
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/event.js';
import type { EntityMemory } from './entity-memory.js';
import { PAIRS_COMPONENT, type Recall, type RecallRule } from './memory-spec.js';
import { TailTable, type TailTableData } from './tail.js';

export const SEQUENCE_COMPONENT = 'sequence';

/** Stored in bundle.json. */
export interface FusionData {
  /** In statistic order: `sequence` first, then the memory's components. */
  components: { name: string; tail: TailTableData }[];
  memory_file: string;
  memory_sha256: string;
  /** Recent events of the entity the memory's statistics also count (entity-memory.ts); absent = 0. */
  recall?: number;
  /**
   * Seconds a recalled event must precede the scored one to count (Adapter.recallMinAge): the events of one sitting
   * (a web login's burst from one address and device) are one observation, not a habit; absent = 0, every one counts.
   */
  recall_min_age?: number;
  /**
   * Seconds a recalled event must precede the scored one to count in the novelty and hour habits as well (the larger
   * of this and recall_min_age; entity-memory.ts HABIT_MIN_AGE); absent = the habits do not recall, as bundles
   * trained before.
   */
  habit_recall_min_age?: number;
  /**
   * Seconds a recalled event of an entity the memory never met must precede the scored one for that entity to make a
   * habit of it in its novelty (entity-memory.ts); absent = such an entity stays new at every event, as bundles trained
   * before.
   */
  new_member_habit_min_age?: number;
  /**
   * Statistics a kind's featurizer computes per event (`event.numeric[name]`, higher = rarer), components after the
   * memory's (zeek-seq: its records' novelty); absent = none.
   */
  statistics?: string[];
}

export interface ComponentScore {
  name: string;
  /** ln P(statistic >= this event's) under held-out normal traffic; 0 = as common as it gets. */
  log_p: number;
  /** For `pairs`: the pairs seen neither in training nor among the recalled events, e.g. `user+dst_host` (absent when all were seen). */
  unseen?: string[];
}

/**
 * The featurizer's statistics of an event into out[offset ..), in `names` order. An event without one was not built
 * by the featurizer the bundle was fitted with: that is an error, never a silent 0 (which would read as ordinary).
 */
export function eventStatistics(event: CanonicalEvent, names: readonly string[], out: Float64Array, offset: number): void {
  for (let j = 0; j < names.length; j++) {
    const v = event.numeric?.[names[j] as string];
    if (v === undefined || !Number.isFinite(v)) throw new AdapterError(event.source.file, event.source.line, `event has no statistic "${names[j]}" the bundle's fusion reads (it was not built by the bundle's featurizer)`);
    out[offset + j] = v;
  }
}

export class Fusion {
  readonly names: string[];
  /** Recent events of the entity recalled per event (0: none). */
  readonly recall: number;
  /** Which recalled events count, and where (FusionData.recall_min_age, .habit_recall_min_age, .new_member_habit_min_age). */
  readonly recallRule: RecallRule;
  /** The featurizer's per-event statistics the fusion reads (FusionData.statistics). */
  readonly statistics: string[];
  private readonly tails: TailTable[];
  /** Where the featurizer's statistics start among the memory's (the memory's component count, read per event). */
  private readonly statisticsOffset: number;

  constructor(data: FusionData, readonly memory: EntityMemory) {
    this.names = data.components.map((c) => c.name);
    this.recall = data.recall ?? 0;
    this.recallRule = Object.freeze({ minAge: data.recall_min_age ?? 0, habitMinAge: data.habit_recall_min_age ?? null, newMemberMinAge: data.new_member_habit_min_age ?? null });
    this.statistics = data.statistics ?? [];
    const expected = [SEQUENCE_COMPONENT, ...memory.componentNames, ...this.statistics];
    if (this.names.join(',') !== expected.join(',')) throw new Error(`fusion components ${this.names.join(', ')} do not match the memory's ${expected.join(', ')}`);
    this.tails = data.components.map((c) => new TailTable(c.tail));
    this.statisticsOffset = memory.componentNames.length;
  }

  /** Memory components per event (every component but the sequence model's). */
  get memoryWidth(): number {
    return this.names.length - 1;
  }

  /**
   * The memory's statistics of one event (higher = rarer) into out[offset .. offset + memoryWidth), with the
   * entity's recent history rows when the bundle recalls; returns the mask of its pairs seen nowhere (bit i: pair
   * i), for its explanation. Independent of the sequence model, so the scorer computes them while the model runs.
   */
  memoryStatistics(event: CanonicalEvent, out: Float64Array, offset: number, recall?: Recall): number {
    this.memory.statistics(event, out, offset, false, this.recall > 0 ? recall : undefined, this.recallRule);
    if (this.statistics.length) eventStatistics(event, this.statistics, out, offset + this.statisticsOffset);
    return this.memory.unseenMask;
  }

  /** One component's entry in the explanation of an event; the pairs component names the pairs that were new. */
  component(name: string, logP: number, unseenMask: number): ComponentScore {
    if (name !== PAIRS_COMPONENT) return { name, log_p: logP };
    const unseen = this.memory.spec.pairs.filter((_, i) => (unseenMask >> i) & 1).map((p) => p.name);
    return unseen.length ? { name, log_p: logP, unseen } : { name, log_p: logP };
  }

  /**
   * Raw score = sum of -ln p over components, the sequence's statistic first, then the memory's from
   * memory[offset ..]; `logP` receives each component's ln p.
   */
  combine(sequence: number, memory: Float64Array, offset: number, logP: Float64Array): number {
    let raw = 0;
    for (let c = 0; c < this.tails.length; c++) {
      const lp = (this.tails[c] as TailTable).logP(c === 0 ? sequence : (memory[offset + c - 1] as number));
      logP[c] = lp;
      raw -= lp;
    }
    return raw;
  }
}
