#!/usr/bin/env node
// zeek-seq enrich benchmark: the Stratosphere days' Zeek logs (../shared/data/zeek/stratosphere-labeled, read in place)
// as Zeek JSON documents, one per record (`ts` in ISO 8601, numbers as numbers, `_path` naming the log), `--copies`
// times (each copy two days later, its uids suffixed), loaded into an index; then `seqsentry enrich` with a zeek-seq
// bundle trained on day 010, as a user runs it. Prints connections/s and records/s (the run's own time, from its
// summary line, and the wall time with process start and model load).
// Usage: node bench/zeek-enrich.mjs [--copies 2] [--batch-size 1024] [--page-size 5000] [--keep]
// Needs the compiled CLI (npm run build), the trainer (npm run setup) and a running OpenSearch (OPENSEARCH_URL, else
// node scripts/opensearch.mjs url).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { call, openSearchUrl, root } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '1024' },
    'page-size': { type: 'string', default: '5000' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    index: { type: 'string', default: 'seqsentry-bench-zeek-enrich' },
  },
});
const copies = Number(values.copies);
const out = resolve(values.out);
const work = join(out, 'zeek-enrich-work');
await mkdir(work, { recursive: true });
const url = openSearchUrl();
const os = (method, path, body) => call(url, method, path, body);
const day = (d) => join(root, '..', 'shared', 'data', 'zeek', 'stratosphere-labeled', `${d}-zeek-mixed`);
const logs = (d) => readdirSync(day(d)).filter((f) => f.endsWith('.log.labeled.gz')).map((f) => join(day(d), f));

// 1. A zeek-seq bundle trained on day 010 (cached).
const modelDir = join(work, 'model-010');
if (!existsSync(join(modelDir, 'bundle.json'))) {
  const t = spawnSync(process.execPath, [join(root, 'bin', 'seqsentry.js'), 'train', '--format', 'zeek', '--kind', 'zeek-seq', '--model-dir', modelDir, '--seed', '1', '--input', ...logs('010')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (t.status !== 0) throw new Error(`train exited with ${t.status}`);
}

// 2. The TSV records as Zeek's JSON writer (ISO 8601 timestamps) would have written them.
const NUMERIC = /^(count|int|port|double|interval)$/;
/** Zeek's epoch `ts` text as ISO 8601 to the microsecond, shifted by `days`. */
const iso = (text, days) => {
  const [secs, frac = ''] = text.split('.');
  return new Date((Number(secs) + days * 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${frac.padEnd(6, '0').slice(0, 6)}Z`);
};
function* jsonRecords(file, copy) {
  let fields = [];
  let types = [];
  let path = '';
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const [key, ...rest] = line.split('\t');
      if (key === '#fields') fields = rest;
      else if (key === '#types') types = rest;
      else if (key === '#path') path = rest[0];
      continue;
    }
    const doc = { _path: path };
    line.split('\t').forEach((v, i) => {
      const name = fields[i];
      const type = types[i] ?? 'string';
      if (v === '-' || name === 'label' || name === 'detailedlabel') return;
      if (name === 'ts') doc.ts = iso(v, 2 * copy);
      else if (name === 'uid') doc.uid = `${v}-${copy}`;
      else if (name === 'conn_uids') doc.conn_uids = v === '(empty)' ? [] : v.split(',').map((u) => `${u}-${copy}`);
      else if (/^(set|vector)\[/.test(type)) doc[name] = v === '(empty)' ? [] : v.split(',');
      else if (NUMERIC.test(type)) doc[name] = Number(v);
      else if (type === 'bool') doc[name] = v === 'T';
      else doc[name] = v === '(empty)' ? '' : v;
    });
    yield doc;
  }
}
const docs = [];
for (let c = 0; c < copies; c++) for (const d of ['008', '010']) for (const f of logs(d)) docs.push(...jsonRecords(f, c));

// 3. The index: the content pack's anomaly fields, `ts` a date; loaded with refresh off, one refresh at the end.
const index = values.index;
await os('DELETE', `/${index}`);
const anomaly = JSON.parse(readFileSync(join(root, 'pipelines', 'templates', 'seqsentry-anomaly-fields.json'), 'utf8')).template.mappings.properties;
const created = await os('PUT', `/${index}`, { settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: '-1' }, mappings: { properties: { ...anomaly, ts: { type: 'date' } } } });
if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
let t = performance.now();
for (let i = 0; i < docs.length; i += 5000) {
  const body = docs.slice(i, i + 5000).map((d, j) => `{"index":{"_index":"${index}","_id":"z${i + j}"}}\n${JSON.stringify(d)}`).join('\n') + '\n';
  const r = await os('POST', '/_bulk', body);
  if (r.json?.errors) throw new Error(`bulk load failed: ${JSON.stringify(r.json.items.find((x) => x.index.error))}`);
}
await os('POST', `/${index}/_refresh`);
process.stdout.write(`loaded ${docs.length} Zeek records in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

// 4. enrich, as a user runs it (join delay 0: the captures are complete).
t = performance.now();
const args = [join(root, 'bin', 'seqsentry.js'), 'enrich', '--index', index, '--model-dir', modelDir, '--since', '2000-01-01T00:00:00Z', '--join-delay', '0', '--page-size', values['page-size'], '--batch-size', values['batch-size']];
const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, OPENSEARCH_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
let stdout = '';
child.stdout.on('data', (c) => (stdout += c));
const code = await new Promise((r) => child.once('exit', r));
const wall = (performance.now() - t) / 1000;
process.stdout.write(stdout);
if (code !== 0) throw new Error(`enrich exited with ${code}`);
const m = /enriched (\d+) connections \((\d+) records\).* in ([\d.]+) s: (\d+) connections\/s, (\d+) records\/s/.exec(stdout);
if (!m) throw new Error(`no summary line in: ${stdout}`);
const [connections, records, seconds, cps, rps] = m.slice(1).map(Number);
const row = { copies, documents: docs.length, connections, records, run_s: seconds, connections_per_s: cps, records_per_s: rps, wall_s: +wall.toFixed(2), connections_per_s_wall: Math.round(connections / wall), records_per_s_wall: Math.round(records / wall), batch_size: +values['batch-size'], page_size: +values['page-size'], cpus: cpus().length };
process.stdout.write(`zeek-seq enrich: ${connections} connections (${records} records) in ${seconds} s: ${cps} connections/s, ${rps} records/s; wall ${wall.toFixed(1)} s with process start and model load: ${row.connections_per_s_wall} connections/s\n`);
await writeFile(join(out, 'zeek-enrich.json'), JSON.stringify(row, null, 2) + '\n');
if (!values.keep) await os('DELETE', `/${index}`);
