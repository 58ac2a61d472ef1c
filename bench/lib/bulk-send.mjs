// Bulk ingest as a shipper does it, for the ingest benchmarks (bench/proxy.mjs, bench/cost.mjs): bodies built once
// before timing so every path sends byte-identical requests, then sent from a few concurrent clients.
import { call } from './ecs-bench.mjs';

/** NDJSON `_bulk` bodies of `bulk` documents each, ids `e<n>` from `e<first>` on, from the documents' JSON lines. */
export function bulkBodies(lines, bulk, first = 0) {
  const out = [];
  for (let i = 0; i < lines.length; i += bulk) out.push(lines.slice(i, i + bulk).map((line, j) => `{"index":{"_id":"e${first + i + j}"}}\n${line}`).join('\n') + '\n');
  return out;
}

/** Posts every body to `<base>/<index>/_bulk<query>` from `clients` concurrent clients; fails on any item error; returns seconds. */
export async function sendBulks(base, index, bodies, { clients = 2, headers = {}, query = '' } = {}) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const r = await call(base, 'POST', `/${index}/_bulk${query}`, body, headers);
      if (r.status !== 200 || r.json?.errors) throw new Error(`bulk into ${index} via ${base}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
    }
  }));
  return (performance.now() - t0) / 1000;
}
