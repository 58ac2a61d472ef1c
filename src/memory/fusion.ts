// Fuses the sequence model with the per-entity memory: each component's statistic becomes its tail probability
// under held-out normal traffic, and the event's raw score is the sum of -ln p (Fisher's method without the
// chi-square step, which would not change the order). No component can drown another, and none is hand-weighted.
import type { CanonicalEvent } from '../core/event.js';
import { PAIRS_COMPONENT, type EntityMemory, type Recall } from './entity-memory.js';
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
}

export interface ComponentScore {
  name: string;
  /** ln P(statistic >= this event's) under held-out normal traffic; 0 = as common as it gets. */
  log_p: number;
  /** For `pairs`: the pairs seen neither in training nor among the recalled events, e.g. `user+dst_host` (absent when all were seen). */
  unseen?: string[];
}

export class Fusion {
  readonly names: string[];
  /** Recent events of the entity recalled per event (0: none). */
  readonly recall: number;
  private readonly tails: TailTable[];

  constructor(data: FusionData, readonly memory: EntityMemory) {
    this.names = data.components.map((c) => c.name);
    this.recall = data.recall ?? 0;
    const expected = [SEQUENCE_COMPONENT, ...memory.componentNames];
    if (this.names.join(',') !== expected.join(',')) throw new Error(`fusion components ${this.names.join(', ')} do not match the memory's ${expected.join(', ')}`);
    this.tails = data.components.map((c) => new TailTable(c.tail));
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
    this.memory.statistics(event, out, offset, false, this.recall > 0 ? recall : undefined);
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
