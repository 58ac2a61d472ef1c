// The window cache holds at most its limit of windows, dropping the one used least recently, and its key is exact:
// windows whose ids differ (ids past 16 bits included) never share an entry.
import { describe, expect, it } from 'vitest';
import { WindowCache, windowKey } from '../src/model/window-cache.js';

const F = 3;
const out = (v: number) => ({ surprisal: new Float32Array([v, v + 0.5, v + 0.25]), expected: new Int32Array([v, 1, 70_000]) });

describe('window cache', () => {
  it('keeps at most maxEntries, the least recently used dropped first', () => {
    const cache = new WindowCache(2, F);
    const s = new Float32Array(F);
    const e = new Int32Array(F);
    for (const v of [1, 2]) cache.write(`k${v}`, out(v).surprisal, out(v).expected, 0);
    expect(cache.read('k1', s, e, 0)).toBe(true); // k1 used: k2 is now the least recent
    cache.write('k3', out(3).surprisal, out(3).expected, 0);
    expect(cache.size).toBe(2);
    expect(cache.read('k2', s, e, 0)).toBe(false);
    expect(cache.read('k1', s, e, 0)).toBe(true);
    expect([...s, ...e]).toEqual([1, 1.5, 1.25, 1, 1, 70_000]);
    for (let v = 4; v < 100; v++) cache.write(`k${v}`, out(v).surprisal, out(v).expected, 0);
    expect(cache.size).toBe(2);
    expect(() => new WindowCache(0, F)).toThrow(/positive integer/);
  });

  it('gives windows the same key exactly when their ids are the same', () => {
    const ids = [0, 1, 0xfffe, 0xffff, 0x10000, 0x1ffff, 0x7fffffff];
    const keys = new Map<string, string>();
    for (const a of ids) for (const b of ids) for (const c of [0, 0xffff]) {
      const row = new Int32Array([a, b, c, 99]);
      const key = windowKey(row, 3); // the row's entries past F (the tie-break) are not the window
      expect(keys.get(key) ?? `${a},${b},${c}`).toBe(`${a},${b},${c}`);
      keys.set(key, `${a},${b},${c}`);
    }
    expect(keys.size).toBe(ids.length * ids.length * 2);
  });
});
