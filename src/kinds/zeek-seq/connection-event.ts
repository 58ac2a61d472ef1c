// The zeek-seq kind's unit: one connection (the uid join's output) as one canonical event whose fields are its
// records' tokens, the conn record's first, then the others in time order. The scorer, its per-host history and the
// field-tokens contract then read a connection exactly as they read any event (a slot is a "field").
import type { ZeekConnection } from '../../adapters/zeek-join.js';
import type { CanonicalEvent } from '../../core/event.js';
import { ZEEK_FIELDS } from '../../adapters/zeek-fields.js';
import { num, str, type ZeekRecord } from '../../adapters/zeek-values.js';
import type { RecordNovelty } from './record-novelty.js';
import { RECORD_NOVELTY_STATISTIC } from './record-novelty.js';
import type { RecordTokenizer } from './record-token.js';

const LOG_TYPE = ZEEK_FIELDS.indexOf('log_type');

/** A slot no record fills (the connection has fewer records than slots). */
export const EMPTY_SLOT = '-';
/** Slot 0 of a connection whose conn record never came (no conn log shipped, or it outlived the capture). */
export const NO_CONN = 'conn|<absent>';

/** The slot names: `conn`, then `record_1` ... `record_{slots-1}` (the bundle's model fields). */
export function slotNames(slots: number): string[] {
  return ['conn', ...Array.from({ length: slots - 1 }, (_, i) => `record_${i + 1}`)];
}

/** The records a connection's slots hold: the first `slots` of them (one fewer when the conn record never came). */
export function slotRecords(connection: ZeekConnection, slots: number): CanonicalEvent[] {
  return connection.events.slice(0, connection.conn ? slots : slots - 1);
}

/**
 * What the fusion's pair memory reads beside the hosts (connection-memory.ts): the responder port and the service,
 * Zeek's own (the conn record's `service`; without a conn record, the first record's log type, which is what Zeek's
 * analyzer found there).
 */
function serviceEntities(connection: ZeekConnection, first: CanonicalEvent): { dst_port: string; service: string } {
  const rec = (first.raw && typeof first.raw === 'object' ? first.raw : {}) as ZeekRecord;
  const port = num(rec, 'id.resp_p');
  const service = connection.conn ? (str(rec, 'service') ?? '-') : (first.fields[LOG_TYPE] ?? '?');
  return { dst_port: port === undefined ? '?' : String(port), service };
}

/**
 * The connection as an event of `slots` token fields. Records beyond the slots are left out: a connection's first
 * few app-layer records (its DNS answer, its HTTP request, its TLS handshake) say what it was; a long tail of
 * files/x509 records adds little and would multiply the tokens every context row costs. With `novelty` (a fused
 * bundle), the event carries the slot records' novelty as `numeric.records`, which the fusion reads.
 */
export function connectionEvent(connection: ZeekConnection, tokenizer: RecordTokenizer, slots: number, novelty?: RecordNovelty): CanonicalEvent {
  const first = connection.events[0] as CanonicalEvent;
  const fields: string[] = new Array(slots).fill(EMPTY_SLOT);
  let slot = 0;
  if (!connection.conn) fields[slot++] = NO_CONN;
  const records = slotRecords(connection, slots);
  for (const event of records) fields[slot++] = tokenizer.token(event);
  return {
    time: first.time,
    entities: { ...first.entities, uid: connection.uid, ...serviceEntities(connection, first) },
    fields,
    ...(novelty ? { numeric: { [RECORD_NOVELTY_STATISTIC]: novelty.statistic(records) } } : {}),
    raw: first.raw,
    source: first.source,
  };
}
