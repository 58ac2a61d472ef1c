// Zeek writes one file per log type: a connection's records are spread over conn.log, dns.log, ssl.log, ... Reading
// the files one after the other would hold a whole capture before any connection could be joined, so they are read
// side by side and merged by time (each file is close to time order; joinByUid absorbs what is not).
import type { AdapterError } from '../core/errors.js';
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
 * The uid join of Zeek events read one record at a time, from files or from documents stored in OpenSearch: `parse`
 * reads a record (leaving the zeek adapter's hosts unnamed), `join` joins time-ordered events into connections,
 * sighting l2 addresses in that order and naming each connection's hosts when it is emitted. Each call starts the
 * adapter's host identity afresh, so every reading of the same records names hosts alike.
 */
export interface ConnectionJoin {
  parse: Adapter['parse'];
  join(events: AsyncIterable<CanonicalEvent>, options?: JoinOptions, joinStats?: JoinStats): AsyncGenerator<ZeekConnection>;
}

export function connectionJoin(adapter: Adapter): ConnectionJoin {
  // Merged by time, a record is parsed ahead of records before it (each stream's next one is parsed early), so the
  // zeek adapter sights l2 addresses only once the records are in time order, and names a connection's hosts when
  // the join emits it (ZeekAdapter.deferredHosts).
  const zeek = asZeekAdapter(adapter)?.deferredHosts();
  if (!zeek) return { parse: (record, source) => adapter.parse(record, source), join: (events, options, joinStats) => joinByUid(events, options, joinStats) };
  return {
    parse: zeek.parse,
    async *join(events, options, joinStats) {
      for await (const c of joinByUid(sighted(events, zeek.sight), options, joinStats)) {
        for (const e of c.events) zeek.name(e);
        yield c;
      }
    },
  };
}

/**
 * The connections of a set of Zeek log files (any log types, TSV or JSON): each file read through the adapter
 * (unreadable records counted in `stats` with their place, as every reader does), merged by time, joined by uid.
 */
export async function* readZeekConnections(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), options: JoinOptions = {}, joinStats?: JoinStats, onUnreadable?: (error: AdapterError) => void): AsyncGenerator<ZeekConnection> {
  // The files the adapter reads first (dhcp.log's leases) are read to their end before the merge starts: merged by
  // time, a lease could be parsed after a record it names, since each stream's next record is parsed ahead.
  const first = adapter.readsFirst ?? (() => false);
  const joining = connectionJoin(adapter);
  const reading: Adapter = { ...adapter, parse: joining.parse };
  // A record that cannot be read is counted in `stats` and told to `onUnreadable` (score writes it as an error line).
  for await (const item of readEvents(files.filter((f) => first(f)), reading, stats)) if (item.error) onUnreadable?.(item.error);
  const streams = files.filter((f) => !first(f)).map(async function* (file) {
    for await (const item of readEvents([file], reading, stats)) {
      if (item.event) yield item.event;
      else if (item.error) onUnreadable?.(item.error);
    }
  });
  yield* joining.join(mergeByTime(streams), options, joinStats);
}
