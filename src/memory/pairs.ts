// The entity pairs whose rarity a SIEM's "rare user for this host" rule counts, resolved against an adapter.
// The rarity baseline of `evaluate` and the scorer's per-entity memory read the same pairs.
import type { Adapter } from '../adapters/adapter.js';
import type { CanonicalEvent } from '../core/event.js';

/** Where a pair member comes from: an entity key, or a categorical field by adapter field name. */
export type PairMember = { entity: string } | { field: string };

/** Every format's pairs; an adapter adds its own after them (Adapter.extraPairs). */
const PAIRS: readonly (readonly [PairMember, PairMember])[] = Object.freeze([
  [{ entity: 'user' }, { entity: 'src_host' }],
  [{ entity: 'user' }, { entity: 'dst_host' }],
  [{ entity: 'src_host' }, { entity: 'dst_host' }],
  [{ entity: 'user' }, { field: 'auth_type' }],
]);

/** A resolved member, serialisable into a bundle: an entity name, or a field with its index in the event. */
export type MemberRef = { entity: string } | { field: string; index: number };

export interface PairSpec {
  /** e.g. `user+src_host` */
  name: string;
  members: [MemberRef, MemberRef];
}

export interface ResolvedPairs {
  used: PairSpec[];
  /** Pairs skipped because the format lacks a member, with the reason, for the report. */
  missing: string[];
}

function memberName(m: PairMember): string {
  return 'entity' in m ? m.entity : m.field;
}

/** Resolves the pairs against an adapter; a pair whose member the format lacks is skipped and named. */
export function resolvePairs(adapter: Adapter): ResolvedPairs {
  const used: PairSpec[] = [];
  const missing: string[] = [];
  for (const pair of [...PAIRS, ...(adapter.extraPairs ?? [])]) {
    const name = pair.map(memberName).join('+');
    const resolved = pair.map((m): MemberRef | string => {
      if ('entity' in m) {
        if (adapter.unpairedEntities?.includes(m.entity)) return `"${m.entity}" only as a context entity`;
        return adapter.entityNames.includes(m.entity) ? { entity: m.entity } : `no entity "${m.entity}"`;
      }
      const index = adapter.fieldNames.indexOf(m.field);
      return index >= 0 ? { field: m.field, index } : `no field "${m.field}"`;
    });
    const problem = resolved.find((r): r is string => typeof r === 'string');
    if (problem !== undefined) missing.push(`${name} (format ${adapter.name} has ${problem})`);
    else used.push({ name, members: resolved as [MemberRef, MemberRef] });
  }
  return { used, missing };
}

/** Longest member value kept in a key: hostile values must not make keys (and their hashing) unbounded. */
export const MAX_MEMBER_CHARS = 256;

/** A member's value, bounded, with NUL (the key separator) replaced so that a key splits back unambiguously. */
export function memberValue(event: CanonicalEvent, m: MemberRef): string {
  const v = ('entity' in m ? event.entities[m.entity] : event.fields[m.index]) ?? '';
  const bounded = v.length > MAX_MEMBER_CHARS ? v.slice(0, MAX_MEMBER_CHARS) : v;
  return bounded.includes('\u0000') ? bounded.replaceAll('\u0000', '\uFFFD') : bounded;
}

/** The first member of a pair key. */
export function firstMember(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}

/** The second member (the partner) of a pair key. */
export function partner(key: string): string {
  return key.slice(key.indexOf('\u0000') + 1);
}

/** The event's key for a pair: both members' values joined by NUL. */
export function pairKey(event: CanonicalEvent, pair: PairSpec): string {
  return joinKey(memberValue(event, pair.members[0]), memberValue(event, pair.members[1]));
}

/** A pair key from its two member values (each already bounded by memberValue). */
export function joinKey(first: string, second: string): string {
  return `${first}\u0000${second}`;
}

/** The event's value of one entity, bounded like pair members. */
export function entityValue(event: CanonicalEvent, entity: string): string {
  return memberValue(event, { entity });
}
