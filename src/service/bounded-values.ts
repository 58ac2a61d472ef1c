// Bounds on what the scorer keeps or hashes: entity values, field values and history scopes. A value over its
// bound is replaced by a short fingerprinted form, so history keys stay small whatever a document holds (V8
// hashes a string of 16 K characters or more by its length alone: long keys sharing a length all collide).
import { createHash } from 'node:crypto';

/** Default bound on one entity or field value, in UTF-8 bytes (history.max_value_bytes). */
export const DEFAULT_MAX_VALUE_BYTES = 1_024;
/** Default bound on a history scope, in UTF-8 bytes (history.max_scope_bytes); OpenSearch index names are ≤ 255. */
export const DEFAULT_MAX_SCOPE_BYTES = 256;
/** Characters of the original kept at the front of a fingerprinted value, so analysts still recognize it. */
const KEPT_PREFIX = 64;

/** UTF-8 length without encoding, stopping early once past `limit`. */
function utf8OverLimit(value: string, limit: number): boolean {
  if (value.length > limit) return true;
  if (value.length * 3 <= limit) return false;
  return Buffer.byteLength(value) > limit;
}

/**
 * `value` when it fits `maxBytes`, else `<first 64 characters>…#<base64url SHA-256 of the whole value>` (at most
 * 300 bytes): distinct values stay distinct, equal values map to the same form on every path.
 */
export function boundValue(value: string, maxBytes: number): string {
  if (!utf8OverLimit(value, maxBytes)) return value;
  let cut = Math.min(KEPT_PREFIX, value.length);
  const last = value.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1; // never split a surrogate pair
  return `${value.slice(0, cut)}…#${createHash('sha256').update(value, 'utf8').digest('base64url')}`;
}

/** True when a scope is over its bound (callers that can refuse do so, naming the key). */
export const scopeTooLong = (scope: string, maxBytes: number): boolean => utf8OverLimit(scope, maxBytes);
