// Zeek writes one file per log type: a connection's records are spread over conn.log, dns.log, ssl.log, ... Reading
// the files one after the other would hold a whole capture before any connection could be joined, so they are read
// side by side and merged by time (each file is close to time order; joinByUid absorbs what is not).
import type { CanonicalEvent } from '../core/event.js';
import type { Adapter } from './adapter.js';
import { newReadStats, readEvents, type ReadStats } from './read.js';
import { joinByUid, type JoinOptions, type JoinStats, type ZeekConnection } from './zeek-join.js';

/** The events of several streams, the earliest head first (ties: the stream given first). */
export async function* mergeByTime(streams: readonly AsyncIterable<CanonicalEvent>[]): AsyncGenerator<CanonicalEvent> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heads = await Promise.all(its.map((it) => it.next()));
  for (;;) {
    let best = -1;
    heads.forEach((h, i) => {
      if (!h.done && (best < 0 || h.value.time < (heads[best] as IteratorYieldResult<CanonicalEvent>).value.time)) best = i;
    });
    if (best < 0) return;
    yield (heads[best] as IteratorYieldResult<CanonicalEvent>).value;
    heads[best] = await (its[best] as AsyncIterator<CanonicalEvent>).next();
  }
}

/**
 * The connections of a set of Zeek log files (any log types, TSV or JSON): each file read through the adapter
 * (unreadable records counted in `stats` with their place, as every reader does), merged by time, joined by uid.
 */
export async function* readZeekConnections(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), options: JoinOptions = {}, joinStats?: JoinStats): AsyncGenerator<ZeekConnection> {
  const streams = files.map(async function* (file) {
    for await (const item of readEvents([file], adapter, stats)) if (item.event) yield item.event;
  });
  yield* joinByUid(mergeByTime(streams), options, joinStats);
}
