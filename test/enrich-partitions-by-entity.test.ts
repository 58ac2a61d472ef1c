// Enrich slices partition events by (index, entity), stably, and the window option reads as OpenSearch date math.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { fnv1a, sliceOf } from '../src/enrich/partition.js';
import { createAdapter } from '../src/adapters/registry.js';
import { pageBody, sinceToDateMath, timeFieldOf } from '../src/enrich/query.js';

describe('enrich partition and window', () => {
  it('gives every event of one entity in one index the same slice, and spreads entities evenly', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c); // FNV-1a 32-bit reference value
    const counts = [0, 0, 0];
    for (let u = 0; u < 3000; u++) {
      const s = sliceOf('logs-1', `user${u}`, `id-${u}`, 3);
      expect(sliceOf('logs-1', `user${u}`, `other-id-${u}`, 3)).toBe(s);
      counts[s]! += 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(900);
    expect(sliceOf('logs-1', 'user1', 'x', 1)).toBe(0);
  });

  it('reads --since as a duration, date math or an ISO date', () => {
    expect(sinceToDateMath('24h')).toBe('now-24h');
    expect(sinceToDateMath('7d')).toBe('now-7d');
    expect(sinceToDateMath('now-1d/d')).toBe('now-1d/d');
    expect(sinceToDateMath('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00Z');
    expect(() => sinceToDateMath('yesterday')).toThrow(UsageError);
  });

  it('asks for unscored events in time order with seq_no guards and a stable tiebreaker', () => {
    const body = pageBody({ pitId: 'p', keepAlive: '5m', sinceMath: 'now-24h', timeField: '@timestamp', size: 5000, searchAfter: [1, 'i', 'd'], trackTotal: false });
    expect(body).toMatchObject({
      size: 5000,
      pit: { id: 'p', keep_alive: '5m' },
      seq_no_primary_term: true,
      search_after: [1, 'i', 'd'],
      sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }, { _index: { order: 'asc' } }, { _id: { order: 'asc' } }],
      query: { bool: { filter: [{ range: { '@timestamp': { gte: 'now-24h' } } }], must_not: [{ exists: { field: 'anomaly_score' } }, { exists: { field: 'anomaly.error' } }] } },
    });
  });

  it('sorts and windows by the adapter\'s own time field', () => {
    const adapter = createAdapter('ecs', { time: ['event.created'] });
    expect(timeFieldOf(adapter)).toBe('event.created');
    expect(timeFieldOf(createAdapter('lanl'))).toBe('@timestamp'); // the line's time is inside `message`: the shipper's
    const body = pageBody({ pitId: 'p', keepAlive: '5m', sinceMath: 'now-1h', timeField: timeFieldOf(adapter), size: 10, searchAfter: null, trackTotal: false });
    expect(body.sort).toEqual([{ 'event.created': { order: 'asc', unmapped_type: 'date', numeric_type: 'date' } }, { _index: { order: 'asc' } }, { _id: { order: 'asc' } }]);
    expect(JSON.stringify(body.query)).toContain('"event.created":{"gte":"now-1h"}');
  });
});
