// What the entity-memory tests share: a LANL logon, the LANL memory spec, and an event's memory statistics with
// earlier events recalled through their history rows, as the scorer recalls them.
import { createAdapter } from '../../src/adapters/registry.js';
import type { CanonicalEvent } from '../../src/core/event.js';
import type { EntityMemory } from '../../src/memory/entity-memory.js';
import { type MemorySpec, PAIRS_ONLY_RECALL, type RecallRule } from '../../src/memory/memory-spec.js';
import { resolvePairs } from '../../src/memory/pairs.js';

/** A LANL logon of `user` from `src` to `dst` (Kerberos unless told). */
export function lanlLogon(time: number, user: string, src: string, dst: string, auth = 'Kerberos'): CanonicalEvent {
  return { time, entities: { user, src_host: src, dst_host: dst }, fields: [user, user, src, dst, auth, 'Network', 'LogOn', 'Success'], raw: '', source: { file: 't', line: 1 } };
}

/** The LANL format's pairs, with the user's hour habit: statistics [pairs, novelty, hour:user]. */
export const LANL_MEMORY_SPEC: MemorySpec = { pairs: resolvePairs(createAdapter('lanl')).used, hour_entity: 'user' };

/** The history row the scorer keeps of `e` for recall. */
export function historyRow(m: EntityMemory, e: CanonicalEvent): Int32Array {
  const r = new Int32Array(m.recallWidth);
  m.recallRow(e, r, 0);
  return r;
}

/** [pairs, novelty, hour] of `e` with `past` (oldest first) recalled under `rule`. */
export function recalledStatistics(m: EntityMemory, e: CanonicalEvent, past: readonly CanonicalEvent[], rule: RecallRule = PAIRS_ONLY_RECALL): Float64Array {
  const out = new Float64Array(3);
  m.statistics(e, out, 0, false, { rows: past.map((x) => historyRow(m, x)), row: historyRow(m, e), offset: 0 }, rule);
  return out;
}
