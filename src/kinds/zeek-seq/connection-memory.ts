// The per-connection memory of a fused zeek-seq bundle: which pairs of a connection's source, destination,
// responder port and service the entity memory (src/memory/entity-memory.ts) counts in training. The six pairs of
// those four are the pairs the rarity rule counts; the memory turns each into two statistics (-ln(count +
// 0.1) and how new such a partner is for the first member's habit), so a pair seen twice is rarer than one seen a
// thousand times, not merely "seen".
import type { MemorySpec } from '../../memory/memory-spec.js';

/** Entities connection-event.ts adds to a connection event for these pairs (beside the adapter's src_ip/dst_ip). */
const MEMBERS = ['src_ip', 'dst_ip', 'dst_port', 'service'] as const;

/**
 * The first member of each pair is the one whose habit `novelty` judges the second by: a source's destinations,
 * ports and services, a destination's ports and services, a port's services.
 */
export const CONNECTION_MEMORY_SPEC: MemorySpec = Object.freeze({
  pairs: MEMBERS.flatMap((a, i) => MEMBERS.slice(i + 1).map((b) => ({ name: `${a}+${b}`, members: [{ entity: a }, { entity: b }] as MemorySpec['pairs'][number]['members'] }))),
  // No hour habit: a host's automated traffic runs at every hour, and a capture of part of a day would make every
  // hour it missed rare.
  hour_entity: null,
});
