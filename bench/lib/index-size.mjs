// Index bytes per document as a SIEM pays for them: the documents bulk-indexed into a fresh one-shard index, then
// force-merged to one segment so the figure does not depend on when Lucene happened to merge. Shared by
// bench/storage.mjs and bench/cost.mjs.
import { call } from './ecs-bench.mjs';

/** Store size in bytes of the primary shard of `index` after a refresh and a force merge to one segment; checks the count. */
export async function forceMergedStoreBytes(url, index, expectedDocs) {
  await call(url, 'POST', `/${index}/_refresh`);
  const merged = await call(url, 'POST', `/${index}/_forcemerge?max_num_segments=1`);
  if (merged.status !== 200) throw new Error(`force merge ${index}: HTTP ${merged.status} ${JSON.stringify(merged.json).slice(0, 300)}`);
  const stats = await call(url, 'GET', `/${index}/_stats/store,docs`);
  const primaries = stats.json?.indices?.[index]?.primaries;
  if (!primaries) throw new Error(`stats of ${index}: ${JSON.stringify(stats.json).slice(0, 300)}`);
  if (primaries.docs.count !== expectedDocs) throw new Error(`${index} holds ${primaries.docs.count} documents, not ${expectedDocs}`);
  return primaries.store.size_in_bytes;
}

/**
 * Indexes `sources` (objects or their JSON) into a new one-shard `index` with `mappings` and extra index `settings`
 * (e.g. the codec), force-merges it, deletes it and returns its store bytes.
 */
export async function indexedBytes(url, index, sources, { mappings, settings = {}, bulk = 5000 }) {
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1, ...settings }, mappings });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json).slice(0, 500)}`);
  try {
    for (let i = 0; i < sources.length; i += bulk) {
      const body = sources.slice(i, i + bulk).map((s, j) => `{"index":{"_id":"e${i + j}"}}\n${typeof s === 'string' ? s : JSON.stringify(s)}`).join('\n') + '\n';
      const res = await call(url, 'POST', `/${index}/_bulk`, body);
      if (res.status !== 200 || res.json.errors) throw new Error(`bulk into ${index}: ${JSON.stringify(res.json).slice(0, 500)}`);
    }
    return await forceMergedStoreBytes(url, index, sources.length);
  } finally {
    await call(url, 'DELETE', `/${index}`);
  }
}
