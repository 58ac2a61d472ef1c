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
  private readonly stats: Float64Array;

  constructor(data: FusionData, readonly memory: EntityMemory) {
    this.names = data.components.map((c) => c.name);
    this.recall = data.recall ?? 0;
    const expected = [SEQUENCE_COMPONENT, ...memory.componentNames];
    if (this.names.join(',') !== expected.join(',')) throw new Error(`fusion components ${this.names.join(', ')} do not match the memory's ${expected.join(', ')}`);
    this.tails = data.components.map((c) => new TailTable(c.tail));
    this.stats = new Float64Array(this.names.length);
  }

  /**
   * The component statistics of one event (higher = rarer), in `names` order, with the entity's recent history
   * rows when the bundle recalls; the array is reused per call.
   */
  statistics(sequence: number, event: CanonicalEvent, recall?: Recall): Float64Array {
    this.stats[0] = sequence;
    this.memory.statistics(event, this.stats, 1, false, this.recall > 0 ? recall : undefined);
    return this.stats;
  }

  /**
   * One component's entry in the explanation of the event last passed to `statistics`; the pairs component names
   * the pairs that were new.
   */
  component(name: string, logP: number): ComponentScore {
    if (name !== PAIRS_COMPONENT) return { name, log_p: logP };
    const unseen = this.memory.lastUnseenPairs();
    return unseen.length ? { name, log_p: logP, unseen } : { name, log_p: logP };
  }

  /** Raw score = sum of -ln p over components; `logP` receives each component's ln p. */
  combine(stats: Float64Array, logP: Float64Array): number {
    let raw = 0;
    for (let c = 0; c < this.tails.length; c++) {
      const lp = (this.tails[c] as TailTable).logP(stats[c] as number);
      logP[c] = lp;
      raw -= lp;
    }
    return raw;
  }
}
