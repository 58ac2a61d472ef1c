// Zeek writes one file per log type: a connection's records are spread over conn.log, dns.log, ssl.log, ... Reading
// the files one after the other would hold a whole capture before any connection could be joined, so they are read
// side by side and merged by time (each file is close to time order; joinByUid absorbs what is not).
import type { CanonicalEvent } from '../core/event.js';
import type { Adapter } from './adapter.js';
import { newReadStats, readEvents, type ReadStats } from './read.js';
import { asZeekAdapter } from './zeek.js';
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

async function* sighted(events: AsyncIterable<CanonicalEvent>, sight: (e: CanonicalEvent) => void): AsyncGenerator<CanonicalEvent> {
  for await (const e of events) {
    sight(e);
    yield e;
  }
}

/**
 * The connections of a set of Zeek log files (any log types, TSV or JSON): each file read through the adapter
 * (unreadable records counted in `stats` with their place, as every reader does), merged by time, joined by uid.
 */
export async function* readZeekConnections(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), options: JoinOptions = {}, joinStats?: JoinStats): AsyncGenerator<ZeekConnection> {
  // The files the adapter reads first (dhcp.log's leases) are read to their end before the merge starts: merged by
  // time, a lease could be parsed after a record it names, since each stream's next record is parsed ahead. For the
  // same reason the zeek adapter sights l2 addresses only once the merge has put the records in time order, and names
  // a connection's hosts when the join emits it (ZeekAdapter.deferredHosts).
  const first = adapter.readsFirst ?? (() => false);
  const zeek = asZeekAdapter(adapter)?.deferredHosts();
  const reading: Adapter = zeek ? { ...adapter, parse: zeek.parse } : adapter;
  for await (const item of readEvents(files.filter((f) => first(f)), reading, stats)) void item;
  const streams = files.filter((f) => !first(f)).map(async function* (file) {
    for await (const item of readEvents([file], reading, stats)) if (item.event) yield item.event;
  });
  const merged = mergeByTime(streams);
  if (!zeek) {
    yield* joinByUid(merged, options, joinStats);
    return;
  }
  for await (const c of joinByUid(sighted(merged, zeek.sight), options, joinStats)) {
    for (const e of c.events) zeek.name(e);
    yield c;
  }
}
