// A window cache that finds too few of its lookups remembered after its trial gives up for good (emptied, no longer
// consulted), and one that hits often enough stays: where windows rarely repeat the cache would only cost time.
import { describe, expect, it } from 'vitest';
import { MIN_HIT_RATE, TRIAL_LOOKUPS, WindowCache } from '../src/model/window-cache.js';

const F = 2;
const surprisal = new Float32Array([1.5, 2.5]);
const expected = new Int32Array([3, 4]);

/** n lookups of which the share `hitRate` finds a remembered window, the rest a new one (counted as the runtime does). */
function lookups(cache: WindowCache, n: number, hitRate: number): void {
  const s = new Float32Array(F);
  const e = new Int32Array(F);
  cache.write('seen', surprisal, expected, 0);
  for (let i = 0; i < n; i++) {
    if (i % 100 < hitRate * 100 && cache.read('seen', s, e, 0)) cache.hits += 1;
    else { cache.write(`new${i}`, surprisal, expected, 0); cache.misses += 1; }
  }
}

describe('window cache trial', () => {
  it('gives up after its trial when fewer than MIN_HIT_RATE of the lookups hit, and stays off', () => {
    const cache = new WindowCache(1_000, F);
    lookups(cache, TRIAL_LOOKUPS - 1, MIN_HIT_RATE / 2);
    expect(cache.worthKeeping()).toBe(true); // the trial is not over
    expect(cache.size).toBeGreaterThan(0);
    lookups(cache, 1, 0);
    expect(cache.worthKeeping()).toBe(false);
    expect(cache.off).toBe(true);
    expect(cache.size).toBe(0);
    cache.hits += 10 * TRIAL_LOOKUPS; // later hits do not bring it back
    expect(cache.worthKeeping()).toBe(false);
  });

  it('stays on when enough lookups hit', () => {
    const cache = new WindowCache(1_000, F);
    lookups(cache, 2 * TRIAL_LOOKUPS, 2 * MIN_HIT_RATE);
    expect(cache.worthKeeping()).toBe(true);
    expect(cache.off).toBe(false);
    expect(cache.hits / (cache.hits + cache.misses)).toBeGreaterThanOrEqual(MIN_HIT_RATE);
  });
});
