// Word-level per-field vocabularies with a count cutoff and an optional hour-of-day token (docs/contracts.md).
// Python's models/vocab.py must give the same ids: a golden parity test holds the two together.
import type { CanonicalEvent } from '../core/event.js';
import { hourOfDay } from '../memory/hour-habits.js';

export const PAD_ID = 0;
export const OOV_ID = 1;
export const PAD = '<pad>';
export const OOV = '<oov>';
export const HOUR_FIELD = 'hour';

export interface TokenizerSpec {
  /** Model fields: the adapter's field names, plus `hour` last when hour_token is on. */
  fields: string[];
  hour_token: boolean;
  min_count: number;
  /** Per field: index = id; ids 0 and 1 are `<pad>` and `<oov>`. */
  vocab: Record<string, string[]>;
}

/** `floor(time / 3600) mod 24`, non-negative, as a decimal string. */
export function hourToken(time: number): string {
  return String(hourOfDay(time));
}

/** The event's values in model-field order (adapter fields, then the hour token when on). */
export function modelValues(event: Pick<CanonicalEvent, 'time' | 'fields'>, hourTokenOn: boolean): string[] {
  return hourTokenOn ? [...event.fields, hourToken(event.time)] : event.fields;
}

/** Compares by UTF-16 code units, which is what the Python side reproduces with utf-16-be bytes. */
function byCountThenValue(counts: Map<string, number>) {
  return (a: string, b: string): number => {
    const d = (counts.get(b) ?? 0) - (counts.get(a) ?? 0);
    if (d !== 0) return d;
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

/** Counts values per field; feed every training event, then call `build`. */
export class VocabBuilder {
  private readonly counts: Map<string, number>[];
  readonly fields: string[];

  constructor(adapterFields: readonly string[], readonly hourTokenOn: boolean, readonly minCount: number) {
    this.fields = hourTokenOn ? [...adapterFields, HOUR_FIELD] : [...adapterFields];
    this.counts = this.fields.map(() => new Map());
  }

  add(event: Pick<CanonicalEvent, 'time' | 'fields'>): void {
    const values = modelValues(event, this.hourTokenOn);
    for (let f = 0; f < this.counts.length; f++) {
      const m = this.counts[f] as Map<string, number>;
      const v = values[f] as string;
      m.set(v, (m.get(v) ?? 0) + 1);
    }
  }

  build(): TokenizerSpec {
    const vocab: Record<string, string[]> = {};
    this.fields.forEach((field, f) => {
      const counts = this.counts[f] as Map<string, number>;
      const kept = [...counts.keys()].filter((v) => (counts.get(v) ?? 0) >= this.minCount).sort(byCountThenValue(counts));
      vocab[field] = [PAD, OOV, ...kept];
    });
    return { fields: this.fields, hour_token: this.hourTokenOn, min_count: this.minCount, vocab };
  }
}

/** Encodes events into per-field ids with lookups built once from a TokenizerSpec. */
export class Encoder {
  private readonly lookups: Map<string, number>[];
  readonly width: number;
  /** The hour token's id by hour of day (hour_token on), so that no hour string is built and looked up per event. */
  private readonly hourIds: Int32Array | null;

  constructor(readonly spec: TokenizerSpec) {
    this.lookups = spec.fields.map((field) => {
      const words = spec.vocab[field] ?? [];
      const m = new Map<string, number>();
      // Ids 0 and 1 are reserved; a raw value spelled "<pad>" must still encode as a value or OOV.
      words.forEach((w, i) => {
        if (i >= 2) m.set(w, i);
      });
      return m;
    });
    this.width = spec.fields.length;
    const hours = spec.hour_token ? this.lookups[this.width - 1] : undefined;
    this.hourIds = hours ? Int32Array.from({ length: 24 }, (_, h) => hours.get(String(h)) ?? OOV_ID) : null;
  }

  /** Writes the event's ids into `out` at `offset` (F slots): its values in modelValues order, without building them. */
  encodeInto(event: Pick<CanonicalEvent, 'time' | 'fields'>, out: BigInt64Array | Int32Array | number[], offset: number): void {
    const { fields } = event;
    const big = out instanceof BigInt64Array;
    for (let f = 0; f < this.width; f++) {
      let id: number;
      if (f < fields.length) id = (this.lookups[f] as Map<string, number>).get(fields[f] as string) ?? OOV_ID;
      // modelValues puts the hour token right after the fields: hourToken(time) is String(hourOfDay(time)).
      else if (f === fields.length && this.spec.hour_token) id = this.hourIds && f === this.width - 1 ? (this.hourIds[hourOfDay(event.time)] as number) : ((this.lookups[f] as Map<string, number>).get(hourToken(event.time)) ?? OOV_ID);
      else id = OOV_ID;
      if (big) out[offset + f] = BigInt(id);
      else out[offset + f] = id;
    }
  }

  encode(event: Pick<CanonicalEvent, 'time' | 'fields'>): number[] {
    const ids = new Array<number>(this.width);
    this.encodeInto(event, ids, 0);
    return ids;
  }

  word(field: number, id: number): string {
    return this.spec.vocab[this.spec.fields[field] as string]?.[id] ?? OOV;
  }
}
