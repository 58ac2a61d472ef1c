// The enrichment caches of web logins (user agent families, the country and AS of client addresses) hold at most
// their limit however many distinct values arrive, dropping the oldest entry, and answer what the lookup answers.
import { describe, expect, it } from 'vitest';
import { asnOf, countryOf, enrichmentCacheSizes, IP_CACHE_MAX, placeOf, UA_CACHE_MAX, userAgentFamily } from '../src/adapters/weblogin-enrich.js';
import { BoundedCache } from '../src/util/bounded-cache.js';

describe('bounded caches', () => {
  it('keeps at most maxEntries, dropping the entry inserted first, and computes each key once while kept', () => {
    const cache = new BoundedCache<string, number>(3);
    let computed = 0;
    const square = (k: string) => (computed++, Number(k) ** 2);
    for (const k of ['1', '2', '3', '1']) cache.getOrCompute(k, square);
    expect([cache.size, computed]).toEqual([3, 3]);
    expect(cache.getOrCompute('4', square)).toBe(16);
    expect([cache.size, computed]).toEqual([3, 4]);
    cache.getOrCompute('1', square); // '1' was the oldest: dropped for '4', computed again
    expect(computed).toBe(5);
    expect(() => new BoundedCache(0)).toThrow(/positive integer/);
  });

  it('bounds the weblogin enrichment caches and answers as the uncached lookups', () => {
    for (let i = 0; i < IP_CACHE_MAX + 500; i++) placeOf(`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    for (let i = 0; i < UA_CACHE_MAX + 500; i++) userAgentFamily(`Mozilla/5.0 (Windows NT 10.0; Win64; x64) Probe/${i}`);
    expect(enrichmentCacheSizes()).toEqual({ userAgents: UA_CACHE_MAX, addresses: IP_CACHE_MAX });
    for (const ip of ['8.8.8.8', '1.0.0.1', '81.169.145.66', '2606:4700:4700::1111', '10.0.0.1']) {
      expect(placeOf(ip)).toEqual({ country: countryOf(ip), asn: asnOf(ip) });
      expect(placeOf(ip)).toEqual({ country: countryOf(ip), asn: asnOf(ip) }); // the cached answer
    }
  });
});
