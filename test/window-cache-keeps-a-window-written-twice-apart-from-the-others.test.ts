// Two batches in flight can both miss a window and both write its output: the cache must keep it in its one slot, so
// that a window remembered later is not given the same slot and its output does not overwrite another's.
import { describe, expect, it } from 'vitest';
import { WindowCache } from '../src/model/window-cache.js';

const F = 2;
const out = (v: number) => ({ surprisal: new Float32Array([v, v + 0.5]), expected: new Int32Array([v, v + 1]) });

describe('window cache, a window written twice', () => {
  it('keeps one entry for it and every other window its own output', () => {
    const cache = new WindowCache(10, F);
    for (const v of [1, 2, 1, 3, 4]) cache.write(`k${v}`, out(v).surprisal, out(v).expected, 0);
    expect(cache.size).toBe(4);
    for (const v of [1, 2, 3, 4]) {
      const s = new Float32Array(F);
      const e = new Int32Array(F);
      expect(cache.read(`k${v}`, s, e, 0)).toBe(true);
      expect([...s, ...e]).toEqual([v, v + 0.5, v, v + 1]);
    }
  });
});
