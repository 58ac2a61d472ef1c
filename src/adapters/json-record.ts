// JSON records as the JSON adapters read them: one document per line or a parsed object, a search hit's _source.
import { AdapterError } from '../core/errors.js';
import type { SourceRef } from '../core/event.js';

/**
 * Per dotted path, its split points as [head, rest] pairs, first dot first. Cut once: cutting them on every lookup made
 * new strings that had to be hashed again for each property lookup, twice the cost of the walk itself (enrich reads
 * ten paths of every stored event). Paths come from field maps, so the cache stays small; it stops growing at
 * MAX_CACHED_PATHS all the same.
 */
const splitsOf = new Map<string, ReadonlyArray<readonly [string, string]>>();
const MAX_CACHED_PATHS = 10_000;

function splits(path: string): ReadonlyArray<readonly [string, string]> {
  let out = splitsOf.get(path);
  if (out) return out;
  const cut: Array<readonly [string, string]> = [];
  for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) cut.push([path.slice(0, i), path.slice(i + 1)]);
  out = cut;
  if (splitsOf.size < MAX_CACHED_PATHS) splitsOf.set(path, out);
  return out;
}

/**
 * Reads `a.b.c` from nested objects, from flat dotted keys, or from a mix of both: the document's own keys only
 * (a path `constructor` or `__proto__` reads nothing, never Object's).
 */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(doc, path)) return doc[path];
  // Try every split point so `{"user": {"name": x}}` and `{"user.name": x}` both resolve.
  for (const [first, rest] of splits(path)) {
    if (!Object.hasOwn(doc, first)) continue;
    const head = doc[first];
    if (head !== null && typeof head === 'object' && !Array.isArray(head)) {
      const found = getPath(head as Record<string, unknown>, rest);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The document of a record: a line parsed as JSON (null for a blank line) or the object as given; an OpenSearch
 * search hit's `_source`. Throws a located AdapterError for invalid JSON or a value that is not an object.
 */
export function jsonDocument(record: string | Record<string, unknown>, source: SourceRef): Record<string, unknown> | null {
  let doc: unknown = record;
  if (typeof record === 'string') {
    if (record.trim() === '') return null;
    try {
      doc = JSON.parse(record);
    } catch (err) {
      throw new AdapterError(source.file, source.line, `invalid JSON: ${(err as Error).message}`);
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AdapterError(source.file, source.line, 'expected a JSON object');
  const obj = doc as Record<string, unknown>;
  // OpenSearch search hits carry the document under _source.
  return obj._source && typeof obj._source === 'object' && !Array.isArray(obj._source) ? (obj._source as Record<string, unknown>) : obj;
}
