#!/usr/bin/env node
// What each indexed part of the anomaly fields costs OpenSearch at ingest: the `direct+fields` documents of
// bench/proxy.mjs (ECS logons with the fields the proxy adds, scored before timing) bulk-indexed straight into
// OpenSearch with the previous mapping (schema 6), this version's, and per variant with one part left out or mapped
// cheaper, variants alternated round after round in one run; prints OpenSearch's CPU µs per document and docs/s of
// each, against plain documents.
// Usage: node bench/os-fields.mjs [--events 40000] [--bulk 1000] [--clients 2] [--rounds 3] [--only 'prefix|prefix']
//        [--unusual-hours] (logons at hours new to the model: every document explained in full, as measured until December 2026)
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bulkBodies, sendBulks } from './lib/bulk-send.mjs';
import { call, cpuSeconds, ECS_EVENT_PROPERTIES, ANOMALY_PROPERTIES, benchTimes, ecsBenchModel, ecsLogons, openSearchPid, openSearchUrl, prescoredLines, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '40000' },
    bulk: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const N = Number(values.events);
const out = resolve(values.out);
const work = join(out, 'enrich-work'); // the model bench/proxy.mjs and bench/enrich.mjs use
await mkdir(work, { recursive: true });
const url = openSearchUrl();
const osPid = openSearchPid(url);
if (!osPid) throw new Error(`no OpenSearch process found for ${url}: CPU per document needs the local node's pid`);

/** A deep copy of the content pack's anomaly mappings, to change one part per variant. */
const anomalyMappings = () => structuredClone(ANOMALY_PROPERTIES);
const SOURCE_ONLY = { index: false, doc_values: false };

/**
 * The previous mapping (schema 6) as changes to the content pack's: the explanation's value and surprisal, the
 * model's three keywords and scored_at indexed with doc values. Kept here, not in the content pack, so the bench
 * measures both versions and each part against the previous one in one run.
 */
function schema6(m) {
  const a = m.anomaly.properties;
  a.scored_at = { type: 'date' };
  for (const k of ['name', 'version', 'kind']) a.model.properties[k] = { type: 'keyword' };
  a.fields.properties.value = { type: 'keyword', ignore_above: 1024 };
  a.fields.properties.surprisal = { type: 'float' };
}
const sourceOnly = (...props) => props.forEach((p) => Object.assign(p, SOURCE_ONLY));
/** schema 6 and then `change` (per-part rows are measured against the previous version). */
const on6 = (change) => (m) => {
  schema6(m);
  change(m.anomaly.properties);
};

/**
 * One row each: what changes in the documents (`doc`, given the parsed document; the anomaly object is
 * `d.anomaly`) and/or in the mapping (`mapping`, given a copy of the anomaly properties). `plain` has no anomaly
 * fields at all; `compact` rows take the compact form (every event below the explain threshold). The bench's logons
 * all score 1 against its model (their hours of day are not the training's), so the other rows are all explained
 * in full, as bench/proxy.mjs sends them; normal traffic is compact but for the top 1 %.
 */
const VARIANTS = Object.freeze([
  { name: 'plain (no anomaly fields)', plain: true },
  { name: 'schema 6 (previous)', mapping: schema6 },
  { name: 'schema 7 (this version)' },
  { name: '6, without anomaly.scored_at', mapping: schema6, doc: (d) => delete d.anomaly.scored_at },
  { name: '6, scored_at source only', mapping: on6((a) => sourceOnly(a.scored_at)) },
  { name: '6, without anomaly.model', mapping: schema6, doc: (d) => delete d.anomaly.model },
  { name: '6, anomaly.model.* source only', mapping: on6((a) => sourceOnly(...Object.values(a.model.properties))) },
  { name: '6, without anomaly.fields', mapping: schema6, doc: (d) => delete d.anomaly.fields },
  { name: '6, anomaly.fields.surprisal, value source only', mapping: on6((a) => sourceOnly(a.fields.properties.surprisal, a.fields.properties.value)) },
  { name: '6, anomaly.fields enabled: false', mapping: on6((a) => { a.fields = { type: 'object', enabled: false }; }) },
  { name: '6, anomaly.model enabled: false', mapping: on6((a) => { a.model = { type: 'object', enabled: false }; }) },
  { name: '6, without is_anomaly when false', mapping: schema6, doc: (d) => d.anomaly.is_anomaly === false && delete d.anomaly.is_anomaly },
  { name: '6, without anomaly.reason', mapping: schema6, doc: (d) => delete d.anomaly.reason },
  { name: '6, without anomaly.raw', mapping: schema6, doc: (d) => delete d.anomaly.raw },
  { name: 'compact: schema 6', compact: true, mapping: schema6 },
  { name: 'compact: schema 7', compact: true },
  { name: 'compact: 7, without anomaly.model, scored_at', compact: true, doc: (d) => { delete d.anomaly.model; delete d.anomaly.scored_at; } },
  { name: 'compact: 7, anomaly.model enabled: false', compact: true, mapping: (m) => { m.anomaly.properties.model = { type: 'object', enabled: false }; } },
  { name: 'compact: anomaly_score only', compact: true, doc: (d) => { delete d.anomaly; } },
]);
const only = values.only?.split('|').map((s) => s.trim());
const variants = only ? VARIANTS.filter((v) => only.some((o) => v.name.startsWith(o))) : VARIANTS;

const modelDir = await ecsBenchModel(work, { kind: 'transformer-mlm' });
const docs = [...ecsLogons(N, 42, benchTimes(N, { unusualHours: values['unusual-hours'] }))];
const scored = await prescoredLines(modelDir, docs);
// The share explained in full decides most of what the default documents cost (only those keep the raw score).
const explainedInFull = scored.filter((line) => JSON.parse(line).anomaly?.raw !== undefined).length;
const compact = variants.some((v) => v.compact) ? await prescoredLines(modelDir, docs, { explainAbove: Infinity }) : [];
// Every variant's bodies are built before timing, each through JSON.parse/stringify so they differ only in the part.
const bodiesOf = (v) => bulkBodies(v.plain ? docs.map((d) => JSON.stringify(d)) : (v.compact ? compact : scored).map((line) => {
  const d = JSON.parse(line);
  v.doc?.(d);
  return JSON.stringify(d);
}), Number(values.bulk));
const prepared = variants.map((v) => {
  const anomaly = anomalyMappings();
  v.mapping?.(anomaly);
  const bodies = bodiesOf(v);
  return { ...v, bodies, mappings: { properties: { ...ECS_EVENT_PROPERTIES, ...(v.plain ? {} : anomaly) } }, bytesPerDoc: bodies.reduce((s, b) => s + Buffer.byteLength(b), 0) / N };
});

async function ingest(v) {
  const index = 'seqsentry-bench-os-fields';
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: v.mappings });
  if (created.status !== 200) throw new Error(`create ${index} (${v.name}): ${JSON.stringify(created.json)}`);
  const cpu0 = cpuSeconds(osPid);
  const s = await sendBulks(url, index, v.bodies, { clients: Number(values.clients) });
  const cpuUs = ((cpuSeconds(osPid) - cpu0) / N) * 1e6;
  await call(url, 'POST', `/${index}/_refresh`);
  const count = (await call(url, 'POST', `/${index}/_count`)).json.count;
  if (count !== N) throw new Error(`${v.name}: ${count} of ${N} documents indexed`);
  await call(url, 'DELETE', `/${index}`);
  return { docsPerS: N / s, cpuUs };
}

// One untimed pass first: the first rounds ran 30-60 % dearer while OpenSearch's JIT warmed up.
await ingest(prepared.find((v) => !v.plain) ?? prepared[0]);
const load = [loadavg()];
const rows = new Map(prepared.map((v) => [v.name, []]));
for (let r = 1; r <= Number(values.rounds); r++) {
  // Alternated: every variant once per round, the order reversed every other round so none always follows another.
  for (const v of r % 2 ? prepared : [...prepared].reverse()) {
    const res = await ingest(v);
    rows.get(v.name).push(res);
    process.stderr.write(`round ${r} ${v.name}: ${res.docsPerS.toFixed(0)} docs/s, OpenSearch ${res.cpuUs.toFixed(1)} µs/doc\n`);
  }
}
load.push(loadavg());

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = prepared.map((v) => {
  const rs = rows.get(v.name);
  return { name: v.name, bulk_bytes_per_doc: +v.bytesPerDoc.toFixed(1), cpu_us_per_doc: +median(rs.map((x) => x.cpuUs)).toFixed(1), docs_per_s: Math.round(median(rs.map((x) => x.docsPerS))), rounds: rs };
});
const plain = summary.find((s) => s.name.startsWith('plain'));
const written = summary.find((s) => s.name.startsWith('schema 6'));
const pct = (a, b) => (a && b ? `${((a / b - 1) * 100).toFixed(0)} %` : '');
process.stdout.write(`\n${N} events (${values['unusual-hours'] ? 'unusual' : 'ordinary'} hours: ${explainedInFull} = ${(explainedInFull / N * 100).toFixed(1)} % explained in full by default), bulks of ${values.bulk}, ${values.clients} clients, ${values.rounds} rounds alternated; medians; load average ${load.map((l) => l.map((x) => x.toFixed(2)).join(' ')).join(' → ')}\n\n`);
process.stdout.write('| documents / mapping | bulk bytes/doc | OpenSearch CPU µs/doc | vs schema 6 | docs/s | vs schema 6 | CPU every round |\n|---|---|---|---|---|---|---|\n');
for (const s of summary) process.stdout.write(`| ${s.name} | ${s.bulk_bytes_per_doc} | ${s.cpu_us_per_doc} | ${s === written ? '' : pct(s.cpu_us_per_doc, written?.cpu_us_per_doc)} | ${s.docs_per_s} | ${s === written ? '' : pct(s.docs_per_s, written?.docs_per_s)} | ${s.rounds.map((x) => x.cpuUs.toFixed(0)).join(', ')} |\n`);
for (const s of [written, summary.find((x) => x.name.startsWith('schema 7'))]) {
  if (plain && s) process.stdout.write(`\n${s.name} / plain: CPU ×${(s.cpu_us_per_doc / plain.cpu_us_per_doc).toFixed(2)}, docs/s ${(s.docs_per_s / plain.docs_per_s * 100).toFixed(1)} %`);
}
process.stdout.write('\n');
await writeFile(join(out, 'os-fields.json'), JSON.stringify({ events: N, bulk: Number(values.bulk), unusual_hours: values['unusual-hours'], explained_in_full: explainedInFull, load, summary }, null, 2) + '\n');
