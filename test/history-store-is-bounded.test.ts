import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../src/scorer/history.js';

const row = (n: number) => Int32Array.from([n]);

describe('history store', () => {
  it('keeps the last K rows per entity, oldest first', () => {
    const h = new HistoryStore({ length: 2, maxEntities: 10 });
    [1, 2, 3].forEach((n) => h.push('alice', row(n), n));
    expect(h.get('alice').map((r) => r[0])).toEqual([2, 3]);
    expect(h.get('bob')).toEqual([]);
  });

  it('evicts the least recently used entity beyond the cap', () => {
    const h = new HistoryStore({ length: 2, maxEntities: 2 });
    h.push('a', row(1), 1);
    h.push('b', row(2), 2);
    h.get('a'); // a is now more recent than b
    h.push('c', row(3), 3);
    expect([h.has('a'), h.has('b'), h.has('c')]).toEqual([true, false, true]);
    expect(h.evictions).toBe(1);
  });
});

describe('history store time order', () => {
  it('places a late event at its time and gives each event only earlier events as context', () => {
    const h = new HistoryStore({ length: 2, maxEntities: 10 });
    h.push('a', row(10), 10);
    h.push('a', row(30), 30);
    h.push('a', row(20), 20); // arrived late
    expect(h.get('a').map((r) => r[0])).toEqual([20, 30]);
    expect(h.get('a', 25).map((r) => r[0])).toEqual([10, 20]);
    expect(h.get('a', 20).map((r) => r[0])).toEqual([10, 20]); // same time: arrived earlier, counts as earlier
    expect(h.get('a', 5)).toEqual([]);
  });
});
