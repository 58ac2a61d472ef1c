// Which slice owns an event: a hash of (index, entity), so every event of one entity in one index goes to
// the same slice and that slice sees the entity's whole sequence in time order (the scorer's context).
//
// Why not OpenSearch's own PIT slicing (`slice: {id, max}`)? It partitions by a hash of `_id`, which scatters
// one entity's events over all slices: each slice would then build the entity's history from a fraction
// of its events and score with a context the proxy path never sees. OpenSearch can only slice on `_id` or a
// numeric doc-values field, and events carry no numeric entity hash, so the partition is applied here.

/** 32-bit FNV-1a over UTF-16 code units: stable across processes and versions, cheap, well spread. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface SliceSpec {
  id: number;
  max: number;
}

/** The slice of an event of `entity` in `index`; `entity` undefined (unreadable event) falls back to its id. */
export function sliceOf(index: string, entity: string | undefined, id: string, max: number): number {
  if (max <= 1) return 0;
  return fnv1a(entity === undefined ? `${index}\u0001${id}` : `${index}\u0000${entity}`) % max;
}
