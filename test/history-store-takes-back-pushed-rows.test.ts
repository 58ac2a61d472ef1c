// Taking back the rows of events whose write failed leaves each entity's history as it was before they were pushed,
// including the oldest rows their pushes had trimmed off.
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../src/scorer/history.js';

const row = (n: number) => Int32Array.from([n, n + 100]);
const ids = (h: HistoryStore, entity: string) => h.get(entity).map((r) => r[0]);

describe('history store remove', () => {
  it('restores the history before a run of pushes, trimmed rows included', () => {
    const h = new HistoryStore({ length: 2, maxEntities: 10 }); // keeps 4 rows per entity
    [1, 2, 3, 4].forEach((n) => h.push('a', row(n), n));
    const before = h.get('a', Infinity);
    // A failed bulk: five more events, which trim rows 1..4 off.
    const failed = [5, 6, 7, 8, 9];
    failed.forEach((n) => h.push('a', row(n), n));
    expect(ids(h, 'a')).toEqual([8, 9]);
    for (const n of [...failed].reverse()) expect(h.remove('a', row(n), n)).toBe(true);
    expect(h.get('a', Infinity)).toEqual(before);
    // The retry then sees the context the first attempt saw.
    expect(h.get('a', 5).map((r) => r[0])).toEqual([3, 4]);
  });

  it('takes back one of two identical events, forgets an entity left empty, and refuses rows it does not hold', () => {
    const h = new HistoryStore({ length: 2, maxEntities: 10 });
    h.push('a', row(1), 1);
    h.push('a', row(1), 1);
    expect(h.remove('a', row(1), 1)).toBe(true);
    expect(ids(h, 'a')).toEqual([1]);
    expect(h.remove('a', row(2), 1)).toBe(false); // other ids
    expect(h.remove('a', row(1), 2)).toBe(false); // other time
    expect(h.remove('a', row(1), 1)).toBe(true);
    expect(h.has('a')).toBe(false); // a later miss may refill it from OpenSearch
    expect(h.remove('nobody', row(1), 1)).toBe(false);
  });
});

describe('history store remove, in any order', () => {
  it('rebuilds the same history whichever order the pushes are taken back in', () => {
    const h = new HistoryStore({ length: 2, maxEntities: 10 });
    [1, 2, 3, 4].forEach((n) => h.push('a', row(n), n));
    const before = h.get('a', Infinity);
    [5, 6, 7].forEach((n) => h.push('a', row(n), n));
    for (const n of [5, 7, 6]) expect(h.remove('a', row(n), n)).toBe(true);
    expect(h.get('a', Infinity)).toEqual(before);
  });
});
