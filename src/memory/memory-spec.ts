// The entity memory's file and spec (memory.json beside the model) and the rules by which recalled events count:
// the shapes `train` writes and every scoring path reads, apart from the statistics computed from them.
import type { ColumnsTarget } from '../scorer/history.js';
import type { PairSpec } from './pairs.js';

export const MEMORY_SCHEMA_VERSION = 1;
export const PAIRS_COMPONENT = 'pairs';
export const NOVELTY_COMPONENT = 'novelty';
/** Distinct keys kept per pair (and entities per hour profile); later new keys are not counted (memory stays bounded). */
export const MAX_KEYS = 2_000_000;

export interface MemorySpec {
  pairs: PairSpec[];
  /** The entity whose hour-of-day habit is kept (the bundle's entity key), or null for none. */
  hour_entity: string | null;
  /**
   * A pair (by name, first member hour_entity) whose key keeps the hour habit instead of the entity's value alone
   * (Adapter.hourHabitField: `user+os`, a phone's evenings apart from a desktop's working hours); absent = the entity's.
   */
  hour_pair?: string;
  /**
   * A pair (by name, first member hour_entity) whose second member is where the entity is (Adapter.travel:
   * `user+country`): the `travel:P` component (travel.ts) measures how soon after a login from elsewhere one from a
   * place new to the entity comes; absent = no such component, as memories written before it.
   */
  travel_pair?: string;
  /** With travel_pair: seconds within which a login from elsewhere counts (Adapter.travel.within; weblogin 12 h). */
  travel_within?: number;
  /**
   * With travel_pair: the field that says whether the event succeeded and its value when it did (Adapter.travel.outcome:
   * weblogin's `outcome`, `success`). Only a successful event puts its entity somewhere: a failed try from abroad (a
   * credential-stuffing hit list) is someone else's. Absent (memories written before it) = every event is a place.
   */
  travel_outcome?: TravelOutcome;
}

/** Where an event's outcome is (its field name and index in the event's fields) and the value a success has. */
export interface TravelOutcome {
  field: string;
  index: number;
  success: string;
}

export interface MemoryFile {
  schema_version: number;
  spec: MemorySpec;
  events: number;
  /** Per pair, in spec order: [key, count] with key = both members joined by NUL. */
  pair_counts: [string, number][][];
  /** [entity (with an hour pair: the pair's key), 24 counts by hour of day] */
  hours: [string, number[]][];
  truncated: boolean;
  /** The latest event time counted (absent in files written before recall existed: recall then stays off). */
  until?: number;
}

/**
 * The entity's recent events as its history rows hold them (oldest first), for recall: each row's recall part
 * (recallRow) starts at `offset`, as does the scored event's in `row`. Either the rows, or their recall parts alone
 * back to back (`columns`, recallWidth ints a row: the history's columns, HistoryOptions.columnsFrom).
 */
export interface Recall {
  rows?: readonly Int32Array[];
  row: Int32Array;
  offset: number;
  columns?: ColumnsTarget;
}

/**
 * Which recalled events count (FusionData.recall_min_age, .habit_recall_min_age, .new_member_habit_min_age): in the
 * pair counts, those at least `minAge` seconds older than the scored event; in the novelty and hour-of-day habits, with
 * `habitMinAge` (else none), those at least the larger of the two older; with `newMemberMinAge` (else none) an entity
 * the memory never met makes habits of its own recalled events at least that much older (and habitMinAge).
 */
export interface RecallRule {
  minAge: number;
  habitMinAge: number | null;
  newMemberMinAge: number | null;
}

/** Bundles written before the rule: every recalled event counts in the pairs only. */
export const PAIRS_ONLY_RECALL: RecallRule = Object.freeze({ minAge: 0, habitMinAge: null, newMemberMinAge: null });

/**
 * Seconds a recalled event must precede the scored one to count in its entity's habits (`train` writes it as
 * fusion.habit_recall_min_age): a habit recurs over sittings, while one sitting's events come seconds apart (a
 * ticket, then the logon it was for); the same hour weblogin's sittings last (WebloginAdapter's recallMinAge).
 */
export const HABIT_MIN_AGE = 3600;

/**
 * Seconds a recalled event of an entity the memory never met must precede the scored one to count in its novelty
 * habit (`train` writes it as fusion.new_member_habit_min_age). A new account's first sittings are not its habit: an
 * attacker's new service account works for an hour or two and should stay new throughout, while a new hire's
 * workstation and servers of this morning are its habit by the afternoon and the next day. Four hours: measured on
 * the detection matrix (docs/benchmarks.md, "A new account's habits"), 1 hour made the attackers' new accounts
 * habitual within their campaign, 12 hours left a new hire's first day rare.
 */
export const NEW_MEMBER_HABIT_MIN_AGE = 14_400;
