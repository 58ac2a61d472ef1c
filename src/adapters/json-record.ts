// JSON records as the JSON adapters read them: one document per line or a parsed object, a search hit's _source.
import { AdapterError } from '../core/errors.js';
import type { SourceRef } from '../core/event.js';

/** Reads `a.b.c` from nested objects, from flat dotted keys, or from a mix of both. */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  // Try every split point so `{"user": {"name": x}}` and `{"user.name": x}` both resolve.
  for (let i = dot; i >= 0; i = path.indexOf('.', i + 1)) {
    const head = doc[path.slice(0, i)];
    if (head !== null && typeof head === 'object' && !Array.isArray(head)) {
      const found = getPath(head as Record<string, unknown>, path.slice(i + 1));
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
