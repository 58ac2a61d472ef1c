// Deterministic document ids for the _bulk proxy, so that a shipper's retry of a bulk overwrites instead of duplicating.
import { createHash } from 'node:crypto';
import type { BulkItem } from './bulk-ndjson.js';

/**
 * `_id` = base64url (no padding, 43 characters) of SHA-256 over the target index as a JSON string, a newline,
 * then the source line's UTF-8 bytes as received (without its line end, before the anomaly fields are added).
 * Identical documents sent to the same index get the same id, as a shipper's fingerprint filter would give them.
 */
export function documentId(index: string, sourceText: string): string {
  return createHash('sha256').update(JSON.stringify(index)).update('\n').update(sourceText, 'utf8').digest('base64url');
}

/** The id the proxy gives an item, or null when it keeps the item's own (it has one, or it is not index/create). */
export function generatedId(item: BulkItem): string | null {
  if ((item.action !== 'index' && item.action !== 'create') || !item.source || item.index === undefined) return null;
  if (item.meta._id !== undefined && item.meta._id !== null) return null;
  return documentId(item.index, item.source.text);
}

/** The item's action line with `_id` set. */
export function actionWithId(item: BulkItem, id: string): string {
  return JSON.stringify({ [item.action]: { ...item.meta, _id: id } });
}

/**
 * A `create` of a generated id that OpenSearch answers 409 `version_conflict_engine_exception`: the same bytes
 * were already written to that index (typically by the first attempt of this retry, whose answer was lost).
 */
export function isDuplicateCreate(item: BulkItem, answer: Record<string, unknown>): boolean {
  const result = answer.create as { status?: unknown; error?: { type?: unknown } } | undefined;
  return item.action === 'create' && result?.status === 409 && result.error?.type === 'version_conflict_engine_exception';
}

/** The success a duplicate create is reported as: the document the shipper asked for is there, unchanged. */
export function duplicateCreateAnswer(answer: Record<string, unknown>): Record<string, unknown> {
  const { _index, _id } = answer.create as { _index?: unknown; _id?: unknown };
  return { create: { _index, _id, status: 200, result: 'noop' } };
}
