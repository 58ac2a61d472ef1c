// The values of one event's pair members, each distinct member read once: the pairs share their members (user,
// src_host, dst_host and auth_type make four pairs of four values), and every pair statistic, recall hash and the
// hour habit's key of an event read them, eight to sixteen bounded member reads an event where four do.
import type { CanonicalEvent } from '../core/event.js';
import { fnv1a } from '../scorer/order.js';
import { joinKey, memberValue, type MemberRef, type PairSpec } from './pairs.js';

const sameMember = (a: MemberRef, b: MemberRef): boolean => ('entity' in a ? 'entity' in b && a.entity === b.entity : !('entity' in b) && a.index === b.index);

export class MemberValues {
  /** The event last read's value of each distinct member (memberValue: bounded, NUL replaced). */
  private readonly values: string[];
  private readonly members: MemberRef[] = [];
  /** Pair i's first member at values[slots[2i]], its partner at values[slots[2i + 1]]. */
  private readonly slots: Int32Array;
  /** The hour entity's place in values (an hour habit kept by the entity alone), else -1. */
  private readonly hourSlot: number;

  constructor(pairs: readonly PairSpec[], hourEntity?: string) {
    const slotOf = (m: MemberRef): number => {
      const at = this.members.findIndex((k) => sameMember(k, m));
      return at >= 0 ? at : this.members.push(m) - 1;
    };
    this.slots = Int32Array.from(pairs.flatMap((p) => [slotOf(p.members[0]), slotOf(p.members[1])]));
    this.hourSlot = hourEntity === undefined ? -1 : slotOf({ entity: hourEntity });
    this.values = this.members.map(() => '');
  }

  /** Reads the event's members; first, partner, key, hash and hourEntity then answer for it. */
  read(event: CanonicalEvent): void {
    for (let m = 0; m < this.members.length; m++) this.values[m] = memberValue(event, this.members[m] as MemberRef);
  }

  first(i: number): string {
    return this.values[this.slots[2 * i] as number] as string;
  }

  partner(i: number): string {
    return this.values[this.slots[2 * i + 1] as number] as string;
  }

  /** Pair i's key (pairKey of the event read). */
  key(i: number): string {
    return joinKey(this.first(i), this.partner(i));
  }

  /** fnv1a of pair i's key, as a signed int, without building the key: FNV-1a over first, NUL, partner in turn. */
  hash(i: number): number {
    return fnv1a(this.partner(i), fnv1a('\u0000', fnv1a(this.first(i)))) | 0;
  }

  /** The hour entity's value (entityValue of the event read); '' when constructed without one. */
  hourEntity(): string {
    return this.hourSlot >= 0 ? (this.values[this.hourSlot] as string) : '';
  }
}
