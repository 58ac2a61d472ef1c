// Graded novelty of a connection's records for the zeek-seq fusion: how rare each record's tuple (record-token.ts)
// was in training, backed off to its parts when the tuple itself was never seen. The sequence model gives every
// token it never saw one and the same surprisal, so an attack tied with a Benign connection that carried some other
// new record; here a new tuple of ordinary parts (a known service on a known port, opened from the usual side) is
// far less rare than one new in every part (opened from outside, to an odd port, in a state never seen).
import { z } from 'zod';
import { ModelLoadError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import { ZEEK_FIELDS } from '../../adapters/zeek-fields.js';
import { recordParts, recordTuple } from './record-token.js';

export const RECORD_NOVELTY_FILE = 'record-novelty.json';
const LOG_TYPE = ZEEK_FIELDS.indexOf('log_type');
/** The fusion component (an event statistic, `numeric[RECORD_NOVELTY_STATISTIC]` of a connection event). */
export const RECORD_NOVELTY_STATISTIC = 'records';
/**
 * Added to every count of a part value, so that a value never seen under its log type is rare but not impossible:
 * half an observation, the Jeffreys prior of a binary seen/unseen outcome.
 */
const PART_PSEUDO_COUNT = 0.5;

/** One log type's training records: their tuples and, per part position, its values. */
interface TypeCounts {
  records: number;
  tuples: Map<string, number>;
  parts: Map<string, number>[];
}

const FileSchema = z.object({
  schema: z.literal('record-novelty'),
  version: z.literal(1),
  records: z.number().int().min(0),
  types: z.array(z.tuple([z.string(), z.object({
    records: z.number().int().min(0),
    tuples: z.array(z.tuple([z.string(), z.number().int().positive()])),
    parts: z.array(z.array(z.tuple([z.string(), z.number().int().positive()]))),
  }).strict()])),
}).strict();

/**
 * -ln p(record), p estimated by backing off (Witten–Bell, as the entity memory's new partners are):
 * p(log type) · p(tuple | log type). A tuple seen c times among a type's n records of d distinct tuples has
 * c / (n + d + 1); a new one the type's novelty mass (d + 1) / (n + d + 1) times the product over its parts (who
 * opened the connection, then the type's telling fields) of (c_j + 0.5) / (n + 0.5 (v_j + 1)), v_j the distinct
 * values part j took. The parts are treated as independent: what they share is left to the sequence model, which
 * reads them together. A log type itself: (n + 0.5) / (N + 0.5 (t + 1)) for N records of t types.
 */
export class RecordNovelty {
  private readonly types = new Map<string, TypeCounts>();
  private records = 0;

  add(event: CanonicalEvent): void {
    const { logType, parts } = recordParts(event);
    let t = this.types.get(logType);
    if (!t) {
      t = { records: 0, tuples: new Map(), parts: [] };
      this.types.set(logType, t);
    }
    this.records += 1;
    t.records += 1;
    const tuple = recordTuple(event);
    t.tuples.set(tuple, (t.tuples.get(tuple) ?? 0) + 1);
    parts.forEach((v, j) => {
      const m = (t.parts[j] ??= new Map());
      m.set(v, (m.get(v) ?? 0) + 1);
    });
  }

  /** -ln p of one record (nats). */
  surprisal(event: CanonicalEvent): number {
    const logType = event.fields[LOG_TYPE] ?? '?';
    const t = this.types.get(logType);
    const n = t?.records ?? 0;
    let lnP = Math.log((n + PART_PSEUDO_COUNT) / (this.records + PART_PSEUDO_COUNT * (this.types.size + 1)));
    if (!t || n === 0) return -lnP;
    const c = t.tuples.get(recordTuple(event)) ?? 0;
    const d = t.tuples.size;
    if (c > 0) return -(lnP + Math.log(c / (n + d + 1)));
    lnP += Math.log((d + 1) / (n + d + 1));
    // the parts only for a tuple never seen: most records' tuples were, and need no array of them
    recordParts(event).parts.forEach((v, j) => {
      const m = t.parts[j];
      lnP += Math.log(((m?.get(v) ?? 0) + PART_PSEUDO_COUNT) / (n + PART_PSEUDO_COUNT * ((m?.size ?? 0) + 1)));
    });
    return -lnP;
  }

  /** A connection's statistic: its most novel record's -ln p (a connection is as novel as its newest record). */
  statistic(records: readonly CanonicalEvent[]): number {
    let top = 0;
    for (const r of records) top = Math.max(top, this.surprisal(r));
    return top;
  }

  toFile(): z.infer<typeof FileSchema> {
    // Sorted, so the same training records give the same file whatever their order.
    const sorted = <V>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      schema: 'record-novelty',
      version: 1,
      records: this.records,
      types: sorted(this.types).map(([type, t]) => [type, { records: t.records, tuples: sorted(t.tuples), parts: t.parts.map((m) => sorted(m)) }]),
    };
  }

  static fromFile(json: unknown, where: string): RecordNovelty {
    const p = FileSchema.safeParse(json);
    if (!p.success) throw new ModelLoadError(where, `not a record novelty file: ${p.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    const novelty = new RecordNovelty();
    novelty.records = p.data.records;
    for (const [type, t] of p.data.types) novelty.types.set(type, { records: t.records, tuples: new Map(t.tuples), parts: t.parts.map((m) => new Map(m)) });
    return novelty;
  }
}
