// The canonical order of events, shared by every path that builds context (docs/contracts.md, "Canonical order"):
// event time, then the encoded event itself (its token ids, compared one field after the other), then a hash of
// its own values (two values the vocabulary maps to one id tie on the ids, and their events differ in the
// per-entity memory). models/data.py orders training context by time and ids: events that tie there are one
// token sequence whichever comes first.
import type { CanonicalEvent } from '../core/event.js';

/** Negative when the encoded event (timeA, rowA) comes before (timeB, rowB), positive when after, 0 when the same. */
export function compareEvents(timeA: number, rowA: Int32Array, timeB: number, rowB: Int32Array): number {
  if (timeA !== timeB) return timeA < timeB ? -1 : 1;
  const n = Math.min(rowA.length, rowB.length);
  for (let f = 0; f < n; f++) {
    const d = (rowA[f] as number) - (rowB[f] as number);
    if (d !== 0) return d;
  }
  return rowA.length - rowB.length;
}

/**
 * Positions 0..n-1 in canonical order of their events, then of their history keys when given (events of several
 * entities that tie: the same batch layout, so the same floating-point sums, whatever order they came in), then
 * arrival order among identical events.
 */
export function canonicalOrder(times: ArrayLike<number>, rows: readonly Int32Array[], keys?: readonly string[]): number[] {
  const order = Array.from({ length: rows.length }, (_, i) => i);
  const byKey = (a: number, b: number) => (keys ? ((keys[a] as string) < (keys[b] as string) ? -1 : (keys[a] as string) > (keys[b] as string) ? 1 : 0) : 0);
  return order.sort((a, b) => compareEvents(times[a] as number, rows[a] as Int32Array, times[b] as number, rows[b] as Int32Array) || byKey(a, b) || a - b);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over `text`'s UTF-16 code units, continuing from `h` (32 bits; `| 0` makes it a signed int). */
export function fnv1a(text: string, h = FNV_OFFSET): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** The entity names of the last event through tieBreak as for..in met them, and the same sorted. */
let lastNames: string[] = [];
let lastSorted: string[] = [];

/** The event's entity names sorted: the last event's when it has the same names in the same order (every event of an adapter). */
function sortedNames(entities: Record<string, string>): string[] {
  let i = 0;
  for (const k in entities) if (lastNames[i++] !== k) return (lastSorted = [...(lastNames = Object.keys(entities))].sort());
  return i === lastNames.length ? lastSorted : (lastSorted = [...(lastNames = Object.keys(entities))].sort());
}

/** FNV-1a (32 bits, as a signed int) of the event's field and entity values: the last tie-break of its row. */
export function tieBreak(event: CanonicalEvent): number {
  let h = FNV_OFFSET;
  // Each value, then 0xffff between values; a collision only lets arrival order decide between two events of one time and ids.
  for (const v of event.fields) h = Math.imul(fnv1a(v, h) ^ 0xffff, FNV_PRIME);
  const names = sortedNames(event.entities);
  for (let k = 0; k < names.length; k++) h = Math.imul(fnv1a(event.entities[names[k] as string] as string, h) ^ 0xffff, FNV_PRIME);
  return h | 0;
}
