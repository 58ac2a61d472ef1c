// The history store's log of its latest pushes (history.ts remove() takes pushes back from it).

/**
 * The latest pushes, oldest first, as parallel arrays (no object per push: this log outlives most of what scoring
 * allocates, and each object in it was one more for every garbage collection to visit): each push's entity, row and
 * time, and the oldest row it trimmed off to keep the entity within capacity (undefined: none) with its time and seq.
 */
export class PushLog {
  readonly entities: string[] = [];
  readonly rows: Int32Array[] = [];
  readonly times: number[] = [];
  readonly evicted: (Int32Array | undefined)[] = [];
  readonly evictedTimes: number[] = [];
  readonly evictedSeqs: number[] = [];

  get length(): number {
    return this.entities.length;
  }

  add(entity: string, row: Int32Array, time: number, evicted: Int32Array | undefined, evictedTime: number, evictedSeq: number): void {
    this.entities.push(entity);
    this.rows.push(row);
    this.times.push(time);
    this.evicted.push(evicted);
    this.evictedTimes.push(evictedTime);
    this.evictedSeqs.push(evictedSeq);
  }

  /** Forgets `count` pushes from the k-th on. */
  drop(k: number, count: number): void {
    for (const a of [this.entities, this.rows, this.times, this.evicted, this.evictedTimes, this.evictedSeqs]) a.splice(k, count);
  }

  clear(): void {
    this.drop(0, this.length);
  }
}
