// The write-back's `_bulk` body, encoded once into one Buffer. Built as text (`+=` over a page's thousands of items)
// it was a rope that the client flattened to count its bytes and the socket encoded again: measured with
// bench/enrich.mjs, that was as much of the enrich process's time as encoding the whole documents themselves.
import type { ScoredUpdate } from './anomaly-writer.js';

/** One bulk item: the update, and the whole document's text when it goes as an `index` action. */
export interface BulkItem {
  u: ScoredUpdate;
  whole: string | null;
}

/**
 * The NDJSON body: per item an `update` action guarded by the read's seq_no/primary_term and a partial doc, or, where
 * `whole` is given, an `index` action under the same guard and the whole document. `pipeline: "_none"` keeps the
 * index's default pipeline from running again on an event it already processed (a partial update runs none).
 * The bytes are those JSON.stringify gives the wrapped objects (no action or doc wrapper object per update).
 */
export function bulkBody(items: readonly BulkItem[]): Buffer {
  const pieces: string[] = [];
  for (const { u, whole } of items) {
    const target = `"_index":${JSON.stringify(u.index)},"_id":${JSON.stringify(u.id)},"if_seq_no":${u.seqNo},"if_primary_term":${u.primaryTerm}`;
    if (whole !== null) {
      pieces.push(`{"index":{${target},"pipeline":"_none"}}\n`, whole, '\n');
      continue;
    }
    const tail = u.fields.anomaly_score !== undefined ? `,"anomaly_score":${JSON.stringify(u.fields.anomaly_score)}}}\n` : '}}\n';
    const doc = `{"doc":{"anomaly":${JSON.stringify(u.fields.anomaly)}${tail}`;
    pieces.push(`{"update":{${target}}}\n`, doc);
  }
  let chars = 0;
  for (const piece of pieces) chars += piece.length;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair 4 for 2), so this never truncates a write.
  const out = Buffer.allocUnsafe(chars * 3);
  let at = 0;
  for (const piece of pieces) at += out.write(piece, at);
  return out.subarray(0, at);
}
