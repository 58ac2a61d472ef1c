// A web login's per-entity memory and rarity baseline count the user's habits beyond its addresses (the country and
// AS it logs in from, its browser and OS: Adapter.extraPairs), after the pairs every format counts; other formats
// keep exactly the shared pairs.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { rarityPairs, RarityCounts } from '../src/eval/baseline.js';
import { resolvePairs } from '../src/memory/pairs.js';

describe('pairs counted per format', () => {
  it('weblogin adds user+country, user+asn, user+browser and user+os after the shared pairs', () => {
    const { used, missing } = resolvePairs(createAdapter('weblogin'));
    expect(used.map((p) => p.name)).toEqual(['user+src_host', 'user+dst_host', 'src_host+dst_host', 'user+auth_type', 'user+country', 'user+asn', 'user+browser', 'user+os']);
    expect(missing).toEqual([]);
    const country = used.find((p) => p.name === 'user+country');
    expect(country?.members[1]).toEqual({ field: 'country', index: createAdapter('weblogin').fieldNames.indexOf('country') });
  });

  it('lanl keeps the four shared pairs', () => {
    expect(resolvePairs(createAdapter('lanl')).used.map((p) => p.name)).toEqual(['user+src_host', 'user+dst_host', 'src_host+dst_host', 'user+auth_type']);
  });

  it('the rarity baseline finds a login from a new country rarer than one from a known country at a new address', () => {
    const adapter = createAdapter('weblogin');
    const login = (ip: string, agent: string) => adapter.parse({ '@timestamp': '2026-01-05T10:00:00Z', user: { id: 'u1' }, source: { ip }, user_agent: { original: agent }, event: { outcome: 'success' }, app: 'mail' }, { file: 't', line: 1 });
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const counts = new RarityCounts(rarityPairs(adapter));
    // Training: u1 from two US (Comcast) addresses with one browser
    for (const ip of ['73.0.0.10', '73.0.0.11']) for (let i = 0; i < 5; i++) counts.add(login(ip, chrome) as Parameters<RarityCounts['add']>[0]);
    const atHome = counts.score(login('73.0.0.12', chrome) as Parameters<RarityCounts['add']>[0]);
    const abroad = counts.score(login('2.160.0.9', chrome) as Parameters<RarityCounts['add']>[0]);
    expect(abroad).toBeGreaterThan(atHome);
  });
});
