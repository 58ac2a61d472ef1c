// What each entity and pair did in training: pair counts and per-entity hour-of-day habits. Fitted by
// `seqsentry train`, saved as memory.json beside the model, read-only while scoring (every path, every restart
// sees the same memory, so scores do not depend on which path or replica scored an event).
import type { CanonicalEvent } from '../core/event.js';
import { hourOfDay, HourHabits } from './hour-habits.js';
import { MAX_KEYS, MEMORY_SCHEMA_VERSION, NOVELTY_COMPONENT, PAIRS_COMPONENT, PAIRS_ONLY_RECALL, type MemoryFile, type MemorySpec, type Recall, type RecallRule } from './memory-spec.js';
import { entityValue, firstMember, memberValue, pairKey, partner, type PairSpec } from './pairs.js';
import { RecallTally } from './recall-tally.js';
import { MemberValues } from './member-values.js';
import { placelessHash, TRAVEL_PREFIX, travelStatistic } from './travel.js';
import { ABSENT } from '../adapters/names.js';

export { hourOfDay } from './hour-habits.js';

/** Added to a pair count so an unseen pair has a finite statistic, -ln(0.1). */
const PAIR_PSEUDO_COUNT = 0.1;

/**
 * Largest value a recall row keeps for how much later than the memory its event is (1 + whole seconds after `until`;
 * 0 = the memory holds it): int32, so 68 years after training.
 */
const MAX_LATER = 0x7fffffff;

/** Map entries by key, in UTF-16 code units. */
function byKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Added to a partner's first members when backing off to its popularity, so a partner nobody met is rare, not impossible. */
const PARTNER_PSEUDO_FIRSTS = 0.5;

/** What a pair's first member (the user of user+dst_host) did: its events, its distinct partners and each one's count. */
interface FirstMember {
  events: number;
  partners: number;
  /**
   * The pair's counts of this first member by partner: the counts map's entries again, so that scoring finds an
   * event's count by its two member values (whose hashes the event's strings keep) instead of building and hashing
   * the joined key per event (a tenth of `score`'s main thread).
   */
  byPartner: Map<string, number>;
}

/**
 * Three statistics, higher = rarer. The first two are sums over the pairs, one component each rather than one per
 * pair, because the pairs move together (a new workstation makes user+src and src+dst new at once; tailed apart,
 * one fact would count twice):
 * - `pairs`: the rarity rule's -ln(count + 0.1);
 * - `novelty`: -ln p(partner | first member), p estimated from the first member's own habit of meeting new
 *   partners: a seen partner c / (n + d + 1), a new one (d + 1) / (n + d + 1) × q, for n events over d distinct
 *   partners; a new first member (D + 1) / (N + D + 1), for D of them over N events. A new server is ordinary
 *   for an admin who meets one every day and rare for a user who has logged on to the same two for weeks. q backs
 *   a new partner off to its popularity (Kneser–Ney's continuation probability): the share of first members that
 *   ever met it, (f + 0.5) / (F + 1). A user's first logon to the file server half the company uses is ordinary;
 *   to a server only two admins use, or to another user's workstation, it is not (measured on the detection
 *   matrix, this lifts pass-the-hash, slow lateral movement and cross-role access, which the bare rule ranked
 *   better before);
 * - `hour:E`: -ln p(hour | entity), or, with an hour pair P (MemorySpec.hour_pair), `hour:P`: -ln p(hour | the
 *   entity and the pair's other member, e.g. a user's OS);
 * - with a travel pair P (MemorySpec.travel_pair), `travel:P`: -ln(hours since the entity's latest recalled event from
 *   another place, within travel_within), for an event from a place the entity is not known in (travel.ts); with
 *   travel_outcome, only its successful events put it at a place (a failed try from abroad is an attacker's).
 * With recall, `pairs` also counts the entity's recent events that are later than the memory (its history rows, up
 * to the bundle's `fusion.recall`): a new user's tenth logon to its new workstation today is not as rare as its
 * first. Bundles trained since `fusion.habit_recall_min_age` recall into the habits as well, `novelty` and `hour:E`,
 * for a first member (an entity) the memory knows, counting the recalled events at least HABIT_MIN_AGE older: a user
 * given a new workstation this morning, or working late tonight, has made it a habit an hour later instead of meeting
 * it anew at each logon, while an account the memory never met stays new for its first hours (since
 * `fusion.new_member_habit_min_age`, its own recalled events at least that old are its habits: a new hire's servers of
 * this morning by the afternoon), and a sitting's own events (an attacker's hop, a night-time burst) do not make each
 * other habitual. Training fits the tails against the whole memory with
 * each held-out event left out, which holds its neighbours in time as recall does, so habits that never recalled
 * were judged at scoring against tails fitted as if they did. (Measured on the detection matrix's 18 LANL runs: mean
 * AP 0.376 → 0.407, above the rule's in 16 runs instead of 12; the follow-up logons of users at new workstations or
 * at odd hours had been most of the normal events above the median red-team event.)
 */
export class EntityMemory {
  readonly counts: Map<string, number>[];
  /** Per pair: its first members' events and partners (derived from counts, never stored). */
  readonly firsts: Map<string, FirstMember>[];
  /** Per pair: how many distinct first members each partner has (derived from counts, never stored). */
  readonly fans: Map<string, number>[];
  /** The hour-of-day habits, keyed by hourKey (the entity's value, or its hour pair's key). */
  readonly hourHabits = new HourHabits(MAX_KEYS);
  events = 0;
  truncated = false;
  /** Bit i set: pair i of the event last passed to `statistics` was never seen (for its explanation). */
  unseenMask = 0;
  /** The latest event time counted: recalled events later than this are not in the memory. */
  until = -Infinity;
  /** Index in spec.pairs of spec.hour_pair, else -1 (the hour habit is the entity's). */
  private readonly hourPair: number;
  /** Index in spec.pairs of spec.travel_pair, else -1 (no travel component). */
  private readonly travelPair: number;
  /**
   * Per pair: whether its first member is the memory's entity (spec.hour_entity), whose own history rows recall reads:
   * only then are the recalled events all that first member's (its habits when the memory never met it).
   */
  private readonly entityFirst: boolean[];
  /** What the recalled events of the event being scored add (filled per call to `statistics` with recall). */
  private readonly recalled: RecallTally;
  /** The pair members of the event being hashed (recallRow) or scored (statistics), each read once. */
  private readonly members: MemberValues;

  constructor(readonly spec: MemorySpec) {
    this.counts = spec.pairs.map(() => new Map());
    this.firsts = spec.pairs.map(() => new Map());
    this.fans = spec.pairs.map(() => new Map());
    this.hourPair = spec.hour_pair === undefined ? -1 : spec.pairs.findIndex((p) => p.name === spec.hour_pair);
    const first = this.hourPair >= 0 ? (spec.pairs[this.hourPair] as PairSpec).members[0] : undefined;
    if (spec.hour_pair !== undefined && !(first && 'entity' in first && first.entity === spec.hour_entity)) {
      throw new Error(`memory spec: hour_pair "${spec.hour_pair}" is not one of the pairs (${spec.pairs.map((p) => p.name).join(', ')}) with first member hour_entity "${spec.hour_entity}"`);
    }
    this.travelPair = spec.travel_pair === undefined ? -1 : spec.pairs.findIndex((p) => p.name === spec.travel_pair);
    this.entityFirst = spec.pairs.map((p) => !!spec.hour_entity && 'entity' in p.members[0] && p.members[0].entity === spec.hour_entity);
    const mover = this.travelPair >= 0 ? (spec.pairs[this.travelPair] as PairSpec).members[0] : undefined;
    if (spec.travel_pair !== undefined && !(mover && 'entity' in mover && mover.entity === spec.hour_entity)) {
      throw new Error(`memory spec: travel_pair "${spec.travel_pair}" is not one of the pairs (${spec.pairs.map((p) => p.name).join(', ')}) with first member hour_entity "${spec.hour_entity}"`);
    }
    if (spec.travel_pair !== undefined && !(typeof spec.travel_within === 'number' && spec.travel_within > 0)) {
      throw new Error(`memory spec: travel_pair "${spec.travel_pair}" needs travel_within, the seconds within which a login from elsewhere counts (got ${String(spec.travel_within)})`);
    }
    this.recalled = new RecallTally(spec.pairs.length, this.hourPair, this.travelPair, spec.travel_outcome !== undefined);
    this.members = new MemberValues(spec.pairs, this.hourPair < 0 ? (spec.hour_entity ?? undefined) : undefined);
  }

  /** The travel pair of the memory (spec.travel_pair), or undefined. */
  get travelSpec(): PairSpec | undefined {
    return this.travelPair >= 0 ? this.spec.pairs[this.travelPair] : undefined;
  }

  /** What the event's hour habit is kept by: its hour pair's key, else its hour entity's value. */
  private hourKey(event: CanonicalEvent): string {
    return this.hourPair >= 0 ? pairKey(event, this.spec.pairs[this.hourPair] as PairSpec) : entityValue(event, this.spec.hour_entity as string);
  }

  /** Counts `n` more events of a pair key (new: one more partner of its first member), within MAX_KEYS. */
  private count(i: number, key: string, n: number): void {
    const map = this.counts[i] as Map<string, number>;
    const have = map.get(key);
    if (have === undefined && map.size >= MAX_KEYS) {
      this.truncated = true;
      return;
    }
    map.set(key, (have ?? 0) + n);
    const firsts = this.firsts[i] as Map<string, FirstMember>;
    const a = firstMember(key);
    const b = partner(key);
    const f = firsts.get(a);
    if (f) {
      f.events += n;
      if (have === undefined) f.partners += 1;
      f.byPartner.set(b, (have ?? 0) + n);
    } else {
      firsts.set(a, { events: n, partners: 1, byPartner: new Map([[b, n]]) });
    }
    if (have === undefined) {
      const fans = this.fans[i] as Map<string, number>;
      fans.set(b, (fans.get(b) ?? 0) + 1);
    }
  }

  /** The hour habit's component name (`hour:user`, `hour:user+os`), or null when the memory keeps no hour habit. */
  get hourComponent(): string | null {
    return this.spec.hour_entity ? `hour:${this.spec.hour_pair ?? this.spec.hour_entity}` : null;
  }

  /** The travel component's name (`travel:user+country`), or null when the memory has none. */
  get travelComponent(): string | null {
    return this.spec.travel_pair === undefined ? null : `${TRAVEL_PREFIX}${this.spec.travel_pair}`;
  }

  /** Component names in statistic order: `pairs` and `novelty` (when there are pairs), then e.g. `hour:user`, then `travel:P`. */
  get componentNames(): string[] {
    const hour = this.hourComponent;
    const travel = this.travelComponent;
    return [...(this.spec.pairs.length ? [PAIRS_COMPONENT, NOVELTY_COMPONENT] : []), ...(hour ? [hour] : []), ...(travel ? [travel] : [])];
  }

  add(event: CanonicalEvent): void {
    this.events += 1;
    if (event.time > this.until) this.until = event.time;
    this.spec.pairs.forEach((pair, i) => this.count(i, pairKey(event, pair), 1));
    if (this.spec.hour_entity && !this.hourHabits.add(this.hourKey(event), hourOfDay(event.time))) this.truncated = true;
  }

  /** Adds another memory's counts (same spec) to this one, within the same bounds. */
  merge(other: EntityMemory): void {
    other.counts.forEach((m, i) => {
      for (const [k, c] of m) this.count(i, k, c);
    });
    for (const [e, p] of other.hourHabits.profiles) if (!this.hourHabits.addProfile(e, p)) this.truncated = true;
    this.events += other.events;
    this.truncated ||= other.truncated;
    this.until = Math.max(this.until, other.until);
  }

  /** Count of the event's key for pair i (0 when unseen); `without` events (the event itself) taken away. */
  pairCount(event: CanonicalEvent, i: number, without = 0): number {
    return this.keyCount(i, pairKey(event, this.spec.pairs[i] as PairSpec), without);
  }

  private keyCount(i: number, key: string, without: number): number {
    return Math.max(0, ((this.counts[i] as Map<string, number>).get(key) ?? 0) - without);
  }

  /**
   * p(this partner | the first member) of pair i (see the class comment); c = the count of the pair's key, `recalled`
   * its recalled events when novelty recalls (then never left out: training fits without recall). The
   * members come apart (what firstMember/partner would cut out of the key), so no key is split per event. For a
   * first member the memory never met that is the scored entity, `own` of its recalled events are old enough to be
   * its habits (RecallRule.newMemberMinAge), `ownHere` of them with this partner.
   */
  private partnerProbability(f: FirstMember | undefined, second: string, i: number, c: number, without: number, recalled = 0, own = 0, ownHere = 0): number {
    const firsts = this.firsts[i] as Map<string, FirstMember>;
    const n = (f?.events ?? 0) - without;
    if (n <= 0) {
      // A first member the memory never met: as rare as a new member, (D + 1) / (N + D + 1). When it is the scored
      // entity with earlier sittings, those are its habit, as a known one's training events are: a partner it met
      // there is about as usual as its share of them, own_here / (own + 2), and never rarer than a partner it did not
      // meet (a new account's first logon somewhere is still new).
      const D = firsts.size - (f && without ? 1 : 0);
      const asNew = (D + 1) / (Math.max(0, this.events - without) + D + 1);
      return ownHere > 0 ? Math.max(ownHere / (own + 2), asNew) : asNew;
    }
    // A first member the memory knows: its recalled events of this pair count as if they had been in training, r more
    // events, all with this partner (one partner more if it was new).
    if (recalled > 0) return (c + recalled) / (n + recalled + (f?.partners ?? 0) + (c > 0 ? 1 : 2));
    // the event left out was its key's only one: one partner fewer, and one first member fewer met this partner
    const only = without && c === 0 ? 1 : 0;
    const partners = (f?.partners ?? 0) - only;
    if (c > 0) return c / (n + partners + 1);
    const met = ((this.fans[i] as Map<string, number>).get(second) ?? 0) - only;
    return ((partners + 1) / (n + partners + 1)) * ((met + PARTNER_PSEUDO_FIRSTS) / (firsts.size + 1));
  }

  /** Ints a history row carries for recall (see recallRow). */
  get recallWidth(): number {
    return this.spec.pairs.length + (this.spec.travel_outcome ? 2 : 1);
  }

  /** Whether the event puts its entity at its place (spec.travel_outcome: it succeeded; without one, every event does). */
  wasThere(event: CanonicalEvent): boolean {
    const o = this.spec.travel_outcome;
    return o === undefined || memberValue(event, o) === o.success;
  }

  /**
   * Writes what recall needs of an event into out[offset ..): per pair the hash of its key, then, when the event is
   * later than the memory (only those add to its counts; earlier ones are counted in it already), 1 + the whole
   * seconds it is later by, else 0. Two events of one time get the same value, so the canonical order that compares
   * rows is unchanged by it. With spec.travel_outcome, then 1 when the event put its entity at its place (wasThere), else 0.
   */
  recallRow(event: CanonicalEvent, out: Int32Array, offset: number): void {
    const P = this.spec.pairs.length;
    this.members.read(event);
    for (let i = 0; i < P; i++) out[offset + i] = this.members.hash(i);
    out[offset + P] = event.time > this.until ? Math.min(MAX_LATER, 1 + Math.floor(event.time - this.until)) : 0;
    if (this.spec.travel_outcome) out[offset + P + 1] = this.wasThere(event) ? 1 : 0;
  }

  /** Names of the pairs this event's members were never seen together in (a pair count of 0). */
  unseenPairs(event: CanonicalEvent): string[] {
    return this.spec.pairs.filter((_, i) => this.pairCount(event, i) === 0).map((p) => p.name);
  }

  /** The pairs of the event last passed to `statistics` seen neither in the memory nor among its recalled events. */
  lastUnseenPairs(): string[] {
    return this.spec.pairs.filter((_, i) => (this.unseenMask >> i) & 1).map((p) => p.name);
  }

  /**
   * p(hour | the event's entity, or its hour pair's key) (HourHabits.probability). With `leaveOneOut`, the event
   * itself (which the memory holds) is taken out first; `recalled` events (habit recall) add `atHour` at its hour.
   */
  hourProbability(event: CanonicalEvent, leaveOneOut = false, recalled = 0, atHour = 0): number {
    return this.hourHabits.probability(this.hourKey(event), hourOfDay(event.time), leaveOneOut ? 1 : 0, recalled, atHour);
  }

  /**
   * Writes the event's statistics into out[offset ..], in componentNames order. `leaveOneOut` scores an event the
   * memory already holds as if it were not there: how training fits the tails, so that a held-out event is judged
   * against a memory as large as the one every scored event meets (a smaller memory sees more new pairs, which
   * would make new pairs look ordinary). `rule.minAge` (seconds, FusionData.recall_min_age) leaves out recalled events
   * younger than that: those of the event's own sitting. With `rule.habitMinAge` the novelty and hour habits count
   * the recalled events old enough too, as the held-out fit's memory counts each held-out event's neighbours.
   * With a travel pair, `travel:P` takes its gap from recall, or without recall `travelGap` (seconds since the entity's
   * latest event from another place, measured by the held-out fit's PlaceTrail; null = none).
   */
  statistics(event: CanonicalEvent, out: Float64Array, offset: number, leaveOneOut = false, recall?: Recall, rule: RecallRule = PAIRS_ONLY_RECALL, travelGap: number | null = null): void {
    const P = this.spec.pairs.length;
    const without = leaveOneOut ? 1 : 0;
    const habits = recall !== undefined && rule.habitMinAge !== null;
    const travel = this.travelSpec;
    const placeless = travel && recall ? placelessHash(memberValue(event, travel.members[0])) : 0;
    const habitAge = habits ? Math.max(rule.minAge, rule.habitMinAge ?? 0) : -1;
    const newAge = habits && rule.newMemberMinAge != null ? Math.max(habitAge, rule.newMemberMinAge) : -1;
    if (recall) this.recalled.tally(recall, this.until, rule.minAge, habitAge, habits && this.spec.hour_entity ? hourOfDay(event.time) : -1, placeless, newAge);
    // Whether the event's place is one its entity is known in: in the memory, or among its recalled events old enough
    // to be habits (as novelty counts them). An entity the memory never met has no home to travel from (its own first
    // logins after an attempt on the account from elsewhere are not a trip): as known.
    let knownPlace = false;
    let o = offset;
    const members = this.members;
    members.read(event);
    if (P) {
      let rarity = 0;
      let novelty = 0;
      this.unseenMask = 0;
      for (let i = 0; i < P; i++) {
        const first = members.first(i);
        const second = members.partner(i);
        const f = (this.firsts[i] as Map<string, FirstMember>).get(first);
        // The count of the key joinKey(first, second) (keyCount), found by its members.
        const c = Math.max(0, (f?.byPartner.get(second) ?? 0) - without);
        const seen = c + (recall ? (this.recalled.counts[i] as number) : 0);
        if (i === this.travelPair) knownPlace = c + (habits ? this.recalled.habitHere : 0) > 0 || (f?.events ?? 0) - without <= 0;
        if (seen === 0) this.unseenMask |= 1 << i;
        rarity -= Math.log(seen + PAIR_PSEUDO_COUNT);
        const own = newAge >= 0 && this.entityFirst[i] ? this.recalled.newHabitRows : 0;
        novelty -= Math.log(this.partnerProbability(f, second, i, c, without, habits ? (this.recalled.habit[i] as number) : 0, own, own > 0 ? (this.recalled.newHabit[i] as number) : 0));
      }
      out[o++] = rarity;
      out[o++] = novelty;
    }
    if (this.spec.hour_entity) {
      // hourProbability's, with the hour key (hourKey's) from the members read.
      const hourKey = this.hourPair >= 0 ? members.key(this.hourPair) : members.hourEntity();
      out[o++] = -Math.log(this.hourHabits.probability(hourKey, hourOfDay(event.time), without, habits ? this.recalled.events : 0, habits ? this.recalled.atHour : 0));
    }
    if (travel) {
      // The gap from recall when scoring (both row values are 1 + seconds after `until`), else the one the held-out
      // fit measured over the entity's previous events (PlaceTrail).
      const now = recall ? (recall.row[recall.offset + P] as number) : 0;
      const gap = recall ? (this.recalled.elsewhere > 0 && now > 0 ? now - this.recalled.elsewhere : null) : travelGap;
      out[o] = travelStatistic(knownPlace || memberValue(event, travel.members[1]) === ABSENT ? null : gap, this.spec.travel_within as number);
    }
  }

  /** The memory as its file holds it, entries in key order: the same events give the same bytes in any order. */
  toFile(): MemoryFile {
    return {
      schema_version: MEMORY_SCHEMA_VERSION,
      spec: this.spec,
      events: this.events,
      pair_counts: this.counts.map((m) => [...m.entries()].sort(byKey)),
      hours: [...this.hourHabits.profiles].sort(byKey).map(([e, p]) => [e, Array.from(p)]),
      truncated: this.truncated,
      ...(Number.isFinite(this.until) ? { until: this.until } : {}),
    };
  }

  static fromFile(file: MemoryFile): EntityMemory {
    const memory = new EntityMemory(file.spec);
    file.pair_counts.forEach((entries, i) => {
      for (const [k, c] of entries) memory.count(i, k, c);
    });
    for (const [e, p] of file.hours) if (!memory.hourHabits.addProfile(e, p)) memory.truncated = true;
    memory.events = file.events;
    memory.truncated = file.truncated;
    // A file without `until` predates recall: every recalled event counts as in the memory, so none adds.
    memory.until = file.until ?? Infinity;
    return memory;
  }
}
