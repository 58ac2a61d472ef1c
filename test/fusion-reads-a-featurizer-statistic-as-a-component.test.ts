// A fusion can read, after the memory's components, statistics a kind's featurizer computes per event
// (`fusion.statistics`, `event.numeric[name]`; zeek-seq's `records`): each is tailed like any component and adds its
// -ln P to the raw score. An event that lacks one was not built by the bundle's featurizer: it is refused with its
// source and line, never read as an ordinary 0; and a bundle whose components do not list the statistic is refused.
import { describe, expect, it } from 'vitest';
import { AdapterError } from '../src/core/errors.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { EntityMemory } from '../src/memory/entity-memory.js';
import type { MemorySpec } from '../src/memory/memory-spec.js';
import { Fusion } from '../src/memory/fusion.js';
import { fitTail, TailTable } from '../src/memory/tail.js';

const spec: MemorySpec = { pairs: [{ name: 'src_ip+dst_ip', members: [{ entity: 'src_ip' }, { entity: 'dst_ip' }] }], hour_entity: null };
const event = (dst: string, records?: number): CanonicalEvent => ({
  time: 1_700_000_000, entities: { src_ip: '10.0.0.5', dst_ip: dst }, fields: ['conn|local|tcp'], raw: {}, source: { file: 'conn.log', line: 42 },
  ...(records === undefined ? {} : { numeric: { records } }),
});
const tails = { sequence: fitTail([0.5, 1, 1.5, 2, 3]), pairs: fitTail([-Math.log(3.1), -Math.log(1.1), -Math.log(0.1)]), novelty: fitTail([0.2, 0.9, 2.5]), records: fitTail([0.1, 0.5, 1, 2, 4, 8]) };

function fusion(names: (keyof typeof tails)[], statistics?: string[]): Fusion {
  const memory = new EntityMemory(spec);
  for (let i = 0; i < 3; i++) memory.add(event('93.184.216.34'));
  return new Fusion({ components: names.map((name) => ({ name, tail: tails[name] })), memory_file: 'memory.json', memory_sha256: '0'.repeat(64), ...(statistics ? { statistics } : {}) }, memory);
}

describe('a featurizer statistic in the fusion', () => {
  it('is the component after the memory\'s and adds its tail to the raw score', () => {
    const f = fusion(['sequence', 'pairs', 'novelty', 'records'], ['records']);
    expect(f.memoryWidth).toBe(3);
    const out = new Float64Array(3);
    f.memoryStatistics(event('93.184.216.34', 4), out, 0);
    expect(out[2]).toBe(4);
    const logP = new Float64Array(4);
    const raw = f.combine(1.5, out, 0, logP);
    expect(logP[3]).toBeCloseTo(new TailTable(tails.records).logP(4), 12);
    expect(logP[3]).toBeCloseTo(Math.log(2 / 6), 12);
    expect(raw).toBeCloseTo(-(logP[0]! + logP[1]! + logP[2]! + logP[3]!), 12);
    // a more novel connection, all else equal, scores higher
    f.memoryStatistics(event('93.184.216.34', 8), out, 0);
    expect(f.combine(1.5, out, 0, new Float64Array(4))).toBeGreaterThan(raw);
  });

  it('refuses an event without the statistic, naming where it came from', () => {
    const f = fusion(['sequence', 'pairs', 'novelty', 'records'], ['records']);
    const read = () => f.memoryStatistics(event('93.184.216.34'), new Float64Array(3), 0);
    expect(read).toThrow(AdapterError);
    expect(read).toThrow(/conn\.log.*42.*records/s);
  });

  it('refuses a bundle whose components do not end with its statistics', () => {
    expect(() => fusion(['sequence', 'pairs', 'novelty'], ['records'])).toThrow(/records/);
    expect(() => fusion(['sequence', 'pairs', 'novelty', 'records'])).toThrow(/do not match/);
  });
});
