// What an event's recalled events (its entity's history rows later than the memory) add to the memory's statistics:
// per pair how often its key recurs, in the pair counts and in the habits, the hour habit's recalled events and
// their weight at the event's hour, and when the entity was last somewhere else. Filled once per scored event, in
// one pass over the rows; EntityMemory.statistics reads it.
import { hourOfDay } from './hour-habits.js';
import type { Recall } from './memory-spec.js';
import type { ColumnsTarget } from '../scorer/history.js';

export class RecallTally {
  /** Per pair, the recalled count of the event being scored (reused per call). */
  readonly counts: Int32Array;
  /** Per pair, the recalled count old enough to count in the novelty habit (habit recall). */
  readonly habit: Int32Array;
  /** Per pair, the recalled count old enough to count in the novelty habit of an entity the memory never met. */
  readonly newHabit: Int32Array;
  /** The recalled events old enough to be habits of an entity the memory never met, whatever their keys. */
  newHabitRows = 0;
  /** Recalled events counted in the hour habit of the event being scored, and their smoothed weight at its hour. */
  events = 0;
  atHour = 0;
  /** 1 + seconds after the memory's `until` of the event's latest recalled event from another place, else 0. */
  elsewhere = 0;
  /** The recalled events old enough to be habits that put the entity at the event's place (travel pair): its known places. */
  habitHere = 0;
  /** Ints of a row's recall part (EntityMemory.recallWidth). */
  private readonly width: number;
  private scratch = new Int32Array(0);

  /**
   * `hourPair` / `travelPair`: indexes in the memory's pairs of its hour pair and travel pair, else -1 (the hour
   * habit is the entity's; no travel component). `outcomes`: each row carries after its later-than value whether its
   * event put the entity at its place (MemorySpec.travel_outcome); without, every row's event did.
   */
  constructor(private readonly pairs: number, private readonly hourPair: number, private readonly travelPair: number, private readonly outcomes = false) {
    this.counts = new Int32Array(pairs);
    this.habit = new Int32Array(pairs);
    this.newHabit = new Int32Array(pairs);
    this.width = pairs + (outcomes ? 2 : 1);
  }

  /**
   * Into counts[i]: how often pair i's key of the event comes among its recalled events later than the memory
   * (`until`, the memory's latest event time) and at least `minAge` seconds older than the event. With `habitAge`
   * (else -1), the same into habit for the events at least that old, and, with `hour` (0-23, else -1), into events
   * and atHour how many of those there were and their weight at that hour as the hour profile smooths it (1 at the
   * hour, 0.5 at the next or previous one). With a travel pair, into elsewhere the latest of those later than the
   * memory whose place (travel pair hash) is another than the event's and not `placeless` (the hash of the entity
   * with no place), and into habitHere how many of the habit-old ones were at the event's place, counting only the
   * rows whose event put the entity there (`outcomes`). With `newAge` (else -1), into newHabit per pair and into
   * newHabitRows in all the habit-old events at least that old too: the habits of an entity the memory never met. Each
   * row is read once, not once per pair or per rule.
   */
  tally(recall: Recall, until: number, minAge: number, habitAge: number, hour: number, placeless: number, newAge = -1): void {
    const { offset, row } = recall;
    const P = this.pairs;
    const W = this.width;
    const { out: columns, at, count } = recall.columns ?? this.pack(recall.rows ?? [], offset);
    const now = row[offset + P] as number;
    const counts = this.counts;
    const habit = this.habit;
    const newHabit = this.newHabit;
    counts.fill(0);
    habit.fill(0);
    newHabit.fill(0);
    let newHabitRows = 0;
    let events = 0;
    let atHour = 0;
    const tp = this.travelPair;
    const hp = this.hourPair;
    // A recalled event from another place counts at any age: minutes before, it is the strongest evidence.
    let elsewhere = 0;
    let habitHere = 0;
    // Row r's recall part at columns[at + r × W ..): P pair hashes, its later-than value, then (outcomes) whether it was there.
    for (let r = 0, past = at; r < count; r++, past += W) {
      const later = columns[past + P] as number;
      if (later === 0) continue;
      const there = tp >= 0 && (!this.outcomes || columns[past + P + 1] === 1);
      if (there && later > elsewhere && columns[past + tp] !== row[offset + tp] && columns[past + tp] !== placeless) elsewhere = later;
      const age = now - later;
      const inPairs = minAge <= 0 || age >= minAge;
      const inHabits = habitAge >= 0 && (habitAge === 0 || age >= habitAge);
      if (!inPairs && !inHabits) continue;
      const inNew = inHabits && newAge >= 0 && age >= newAge;
      if (inNew) newHabitRows += 1;
      for (let i = 0; i < P; i++) {
        if (columns[past + i] !== row[offset + i]) continue;
        if (inPairs) counts[i] = (counts[i] as number) + 1;
        if (inHabits) habit[i] = (habit[i] as number) + 1;
        if (inNew) newHabit[i] = (newHabit[i] as number) + 1;
      }
      if (inHabits && there && columns[past + tp] === row[offset + tp]) habitHere += 1;
      // With an hour pair, only the recalled events of the same key (this user's same OS) are its hour habit.
      if (!inHabits || hour < 0 || (hp >= 0 && columns[past + hp] !== row[offset + hp])) continue;
      events += 1;
      // The row keeps 1 + the whole seconds after `until`: its hour of day, to the second.
      const d = (hourOfDay(until + later - 1) - hour + 24) % 24;
      if (d === 0) atHour += 1;
      else if (d === 1 || d === 23) atHour += 0.5;
    }
    this.newHabitRows = newHabitRows;
    this.events = events;
    this.atHour = atHour;
    this.elsewhere = elsewhere;
    this.habitHere = habitHere;
  }

  /** The rows' recall parts back to back in a buffer kept for it (a Recall that came without its columns). */
  private pack(rows: readonly Int32Array[], offset: number): ColumnsTarget {
    const W = this.width;
    if (this.scratch.length < rows.length * W) this.scratch = new Int32Array(2 * rows.length * W);
    for (let r = 0; r < rows.length; r++) {
      const past = rows[r] as Int32Array;
      for (let f = 0; f < W; f++) this.scratch[r * W + f] = past[offset + f] as number;
    }
    return { out: this.scratch, at: 0, count: rows.length };
  }
}
