#!/usr/bin/env node
// Long-value benchmark (issue 8 item 7): rounds of /v1/score batches whose user names are 20 K characters sharing a
// prefix, timing each round and /healthz during them; with bounded values the rounds should not slow down.
// Usage: node bench/long-keys.mjs [--rounds 4] [--batch 1000] [--length 20000] [--unusual-hours] (logons at hours new to
// the model). Needs the compiled CLI (npm run build).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchTimes, call, ecsBenchModel, ecsLogons, startServe, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1000' },
    length: { type: 'string', default: '20000' },
    out: { type: 'string', default: 'bench/results' },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const out = resolve(values.out);
const work = join(out, 'enrich-work'); // shares the trained model with bench/enrich.mjs
await mkdir(work, { recursive: true });
const TOKEN = 'bench-token-0123456789abcdef';
const modelDir = await ecsBenchModel(work);
const sidecar = await startServe({ modelDir, opensearchUrl: 'http://127.0.0.1:9', token: TOKEN, settings: { history: { refill: false } } });
const headers = { authorization: `Bearer ${TOKEN}` };
const prefix = 'u'.repeat(Number(values.length));
const batch = Number(values.batch);
const rows = [];
try {
  let n = 0;
  for (let round = 1; round <= Number(values.rounds); round++) {
    const events = [...ecsLogons(batch, round, benchTimes(batch, { unusualHours: values['unusual-hours'], hoursAgo: 1 }))].map((d) => ({ ...d, user: { name: `${prefix}${n++}` } }));
    const t0 = performance.now();
    const scoring = call(sidecar.url, 'POST', '/v1/score', { events }, headers);
    const h0 = performance.now();
    await call(sidecar.url, 'GET', '/healthz');
    const healthMs = performance.now() - h0;
    const res = await scoring;
    if (res.status !== 200) throw new Error(`round ${round}: HTTP ${res.status}`);
    // only the full explanation keeps the raw score
    const explained = res.json.results.filter((r) => r.anomaly?.raw !== undefined).length;
    rows.push({ round, events: batch, seconds: (performance.now() - t0) / 1000, healthz_ms: healthMs, explained_in_full_pct: +((explained / batch) * 100).toFixed(1) });
  }
} finally {
  await sidecar.stop();
}
console.table(rows);
await writeFile(join(out, 'long-keys.json'), JSON.stringify({ length: Number(values.length), rows }, null, 2) + '\n');
