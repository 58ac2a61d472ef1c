// zeek-seq's enrich reads Zeek records stored in OpenSearch (one document per record, as a shipper writes them) and
// joins them into connections with the join `score` uses on files (zeek-merge.ts connectionJoin): every record of the
// window, scored or not, walked in event-time order, so that the connections already scored are rebuilt as their
// entity's history and the ones still unscored are joined whole. Each connection keeps the documents it came from.
import type { Client } from '@opensearch-project/opensearch';
import { isNoEvent, type Adapter } from '../../adapters/adapter.js';
import { connectionJoin } from '../../adapters/zeek-merge.js';
import type { ZeekConnection } from '../../adapters/zeek-join.js';
import { num, type ZeekRecord } from '../../adapters/zeek-values.js';
import type { CanonicalEvent } from '../../core/event.js';
import { windowQuery } from '../../enrich/query.js';
import { UnscoredEventReader, type EventHit, type ReaderOptions } from '../../enrich/unscored-events.js';

export interface StoredConnection {
  connection: ZeekConnection;
  /** The document of each of `connection.events`, in the same order. */
  hits: EventHit[];
  /** The latest time the connection reaches: its conn record's ts + duration, or its latest record's ts. */
  end: number;
}

export interface StoredWindow {
  /** In the order the join emitted them (the order `score` numbers connections in). */
  connections: StoredConnection[];
  /** Documents no connection can hold (unreadable, or of a log type zeek-seq does not read), not yet marked so. */
  unreadable: Array<{ hit: EventHit; reason: string }>;
  /** The newest event time among the window's readable records (seconds); -Infinity when there is none. */
  newest: number;
  /** Documents walked. */
  read: number;
}

/** The walk's window, order and paging: the unscored-events reader's, over every record (scored or not). */
export type WalkOptions = Omit<ReaderOptions, 'query'>;

type Anomaly = { error?: unknown; late?: unknown } | undefined;

/** A record marked late was written apart from its connection (connection-enrich.ts): it is no part of the one scored. */
export const isLate = (hit: EventHit): boolean => (hit.source.anomaly as Anomaly)?.late === true;
export const hasScore = (hit: EventHit): boolean => typeof hit.source.anomaly_score === 'number';

function endOf(connection: ZeekConnection): number {
  let end = -Infinity;
  connection.events.forEach((e, i) => {
    const duration = i === 0 && connection.conn ? (num((e.raw ?? {}) as ZeekRecord, 'duration') ?? 0) : 0;
    end = Math.max(end, e.time + duration);
  });
  return end;
}

/** Every record of the window, read and joined into connections (with the adapter's default linger, as on files). */
export async function readStoredConnections(client: Client, adapter: Adapter, options: WalkOptions, signal?: AbortSignal): Promise<StoredWindow> {
  const joining = connectionJoin(adapter);
  const hitOf = new Map<CanonicalEvent, EventHit>();
  const unreadable: StoredWindow['unreadable'] = [];
  let newest = -Infinity;
  let read = 0;
  const reader = new UnscoredEventReader(client, { ...options, query: windowQuery(options.sinceMath, options.timeField) });
  async function* events(): AsyncGenerator<CanonicalEvent> {
    for await (const page of reader.pages(null, signal)) {
      const parsed: CanonicalEvent[] = [];
      for (const hit of page.hits) {
        read += 1;
        // Given up on already (unreadable), or kept apart from its connection: neither joins again.
        if ((hit.source.anomaly as Anomaly)?.error !== undefined || isLate(hit)) continue;
        let event;
        try {
          event = joining.parse(hit.source, { file: `${hit.index}/${hit.id}`, line: 1 });
        } catch (err) {
          unreadable.push({ hit, reason: (err as Error).message });
          continue;
        }
        if (event === null || isNoEvent(event)) {
          unreadable.push({ hit, reason: event === null ? 'empty record' : event.skip });
          continue;
        }
        hitOf.set(event, hit);
        newest = Math.max(newest, event.time);
        parsed.push(event);
      }
      // OpenSearch sorts by the date field's milliseconds, Zeek stamps microseconds: within a millisecond the walk
      // would follow _index and _id, and an x509 record could come before the ssl record it belongs to (or after it),
      // joining otherwise than the same records read from files. A page never ends inside a millisecond (the reader
      // cuts between sort values), so ordering each page by the exact time orders the walk; ties keep _index/_id order.
      yield* parsed.sort((a, b) => a.time - b.time);
    }
  }
  const connections: StoredConnection[] = [];
  for await (const connection of joining.join(events())) {
    connections.push({ connection, hits: connection.events.map((e) => hitOf.get(e) as EventHit), end: endOf(connection) });
  }
  return { connections, unreadable, newest, read };
}
