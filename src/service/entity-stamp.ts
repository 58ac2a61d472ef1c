// Which history refill stamps (anomaly.entity, anomaly.time) a score carries: only those a restarted sidecar or enrich
// needs to find the event again as its entity's past (src/opensearch/history-loader.ts). On Winlogbeat events the two
// cost 34.7 bytes of 771.9 (bench/storage.mjs): the time repeated @timestamp, and the entity a value the event's own
// account field already holds in upper case, so the entity is written only where that field cannot be queried for it.
import type { Adapter } from '../adapters/adapter.js';
import type { CanonicalEvent } from '../core/event.js';

/** What is stamped on one scored event: either part may be left out. */
export interface AnomalyStamp {
  entity?: string;
  time?: number;
}

/**
 * Entity values a case-insensitive `term` query finds exactly on a keyword field (the content pack's mapping and
 * Winlogbeat's) or dynamic mapping's `.keyword` sub-field (ignore_above 256): printable ASCII, so that JavaScript's
 * and Lucene's case folding agree, and no upper-case letter, so that the value is its own lower case. Anything else
 * is stamped.
 */
const FOLDABLE = /^[\x20-\x40\x5b-\x7e]{1,256}$/;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function isFoldable(value: string): boolean {
  return FOLDABLE.test(value);
}

/**
 * Every value a document holds at a dotted path, as OpenSearch indexes it: nested objects, flat dotted keys or a mix,
 * arrays of values and of objects flattened. `getPath` stops at the first; a second, different value would be found
 * by the refill query too, so all count.
 */
export function valuesAt(doc: unknown, path: string): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAt(d, path));
  if (doc === null || typeof doc !== 'object') return [];
  const obj = doc as Record<string, unknown>;
  const out: unknown[] = [];
  for (let i = path.indexOf('.'); ; i = path.indexOf('.', i + 1)) {
    const head = i < 0 ? path : path.slice(0, i);
    if (Object.hasOwn(obj, head)) {
      const v = obj[head];
      if (i < 0) out.push(...(Array.isArray(v) ? v.flat(Infinity) : [v]));
      else out.push(...valuesAt(v, path.slice(i + 1)));
    }
    if (i < 0) break;
  }
  return out.filter((v) => v !== undefined && v !== null);
}

/**
 * Whether a case-insensitive term query for `entity` on `paths` finds this document, and finds it for no other
 * value: at least one of the paths holds a value, and every value they hold is `entity` in some letter case.
 */
export function foundByOwnFields(doc: unknown, paths: readonly string[], entity: string): boolean {
  if (!isFoldable(entity)) return false;
  const values = paths.flatMap((p) => valuesAt(doc, p));
  // ASCII values only: JavaScript lower-cases the Kelvin sign to `k`, and whether Lucene's folding matches it is
  // not this code's to assume.
  return values.length > 0 && values.every((v) => typeof v === 'string' && PRINTABLE_ASCII.test(v) && v.toLowerCase() === entity);
}

/**
 * The stamps for one scored event, or undefined for none. Formats whose documents hold no queryable time or entity
 * (documentFields null: LANL, authlog, syslog, weblogin) get both; formats that derive their entities (Windows, Zeek)
 * have a time field (the refill reads it), so only the entity, and not where the document's own fields for it
 * (documentFields.foldedEntityPaths) hold it up to letter case; formats whose documents hold the values as they
 * are (ECS) get none.
 */
export function stampFor(adapter: Adapter, entityKey: string, event: CanonicalEvent): AnomalyStamp | undefined {
  const own = adapter.documentFields;
  const entity = event.entities[entityKey] ?? '?';
  if (own === null) return { entity, time: event.time };
  if (!own.entitiesDerived) return undefined;
  const paths = own.foldedEntityPaths?.[entityKey];
  return paths && foundByOwnFields(event.raw, paths, entity) ? undefined : { entity };
}
