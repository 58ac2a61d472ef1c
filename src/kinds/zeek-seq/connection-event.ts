// The zeek-seq kind's unit: one connection (the uid join's output) as one canonical event whose fields are its
// records' tokens, the conn record's first, then the others in time order. The scorer, its per-host history and the
// field-tokens contract then read a connection exactly as they read any event (a slot is a "field").
import type { ZeekConnection } from '../../adapters/zeek-join.js';
import type { CanonicalEvent } from '../../core/event.js';
import type { RecordTokenizer } from './record-token.js';

/** A slot no record fills (the connection has fewer records than slots). */
export const EMPTY_SLOT = '-';
/** Slot 0 of a connection whose conn record never came (no conn log shipped, or it outlived the capture). */
export const NO_CONN = 'conn|<absent>';

/** The slot names: `conn`, then `record_1` ... `record_{slots-1}` (the bundle's model fields). */
export function slotNames(slots: number): string[] {
  return ['conn', ...Array.from({ length: slots - 1 }, (_, i) => `record_${i + 1}`)];
}

/**
 * The connection as an event of `slots` token fields. Records beyond the slots are left out: a connection's first
 * few app-layer records (its DNS answer, its HTTP request, its TLS handshake) say what it was; a long tail of
 * files/x509 records adds little and would multiply the tokens every context row costs.
 */
export function connectionEvent(connection: ZeekConnection, tokenizer: RecordTokenizer, slots: number): CanonicalEvent {
  const first = connection.events[0] as CanonicalEvent;
  const fields: string[] = new Array(slots).fill(EMPTY_SLOT);
  let slot = 0;
  if (!connection.conn) fields[slot++] = NO_CONN;
  for (const event of connection.events) {
    if (slot >= slots) break;
    fields[slot++] = tokenizer.token(event);
  }
  return {
    time: first.time,
    entities: { ...first.entities, uid: connection.uid },
    fields,
    raw: first.raw,
    source: first.source,
  };
}
