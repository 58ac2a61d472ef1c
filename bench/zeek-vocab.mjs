#!/usr/bin/env node
// The clustering vocabulary of Zeek records (seqsentry zeek-vocab): per log type the clusters HDBSCAN found and the
// share of the sample it left as noise, fitted on a Stratosphere day (008) and on the WRCCDC sample; how long
// sampling and clustering took; then the TypeScript `cluster` tokenizer's tokens/s over events already in memory,
// and the share of records it calls noise: on the other Stratosphere day (010, records the fit never saw) and on
// every WRCCDC record. The machine is shared: one run's ratios, not absolute speeds.
// Usage: node bench/zeek-vocab.mjs [--sample N] [--radius-floor R]. Needs the compiled CLI (npm run build), .venv and ../shared/data/zeek.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib/ecs-bench.mjs';

const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { readEvents } = await dist('adapters/read.js');
const { createAdapter } = await dist('adapters/registry.js');
const { fitZeekVocab } = await dist('tokenizer/zeek-cluster/fit.js');
const { ClusterTokenizer } = await dist('tokenizer/zeek-cluster/cluster-tokenizer.js');
const { logTypeOf } = await dist('tokenizer/zeek-cluster/features.js');

const { values } = parseArgs({ options: { sample: { type: 'string', default: '2000' }, 'radius-floor': { type: 'string', default: '0.5' } } });
const sample = Number(values.sample);
const radiusFloor = Number(values['radius-floor']);
const zeek = join(root, '..', 'shared', 'data', 'zeek');
const day = async (d) => {
  const dir = join(zeek, 'stratosphere-labeled', `${d}-zeek-mixed`);
  return (await readdir(dir)).filter((f) => f.endsWith('.gz')).map((f) => join(dir, f));
};
const WRCCDC_TYPES = ['conn', 'dns', 'ssl', 'x509', 'files', 'weird', 'rdp', 'notice', 'ntlm', 'kerberos', 'dce_rpc', 'smb_mapping', 'smb_files', 'ssh', 'http'];
const wrccdc = (await readdir(join(zeek, 'zeek-default'))).filter((f) => WRCCDC_TYPES.includes(f.split('.')[0])).map((f) => join(zeek, 'zeek-default', f));

const tmp = await mkdtemp(join(tmpdir(), 'seqsentry-bench-zeek-vocab-'));

async function fit(name, inputs) {
  const out = join(tmp, `${name}.json`);
  const r = await fitZeekVocab({ inputs, out, sample, minClusterSize: 10, minSamples: 5, radiusFloor, seed: 1 });
  return { name, out, sampleSeconds: r.sampleSeconds, clusterSeconds: r.clusterSeconds, logTypes: r.logTypes };
}

async function tokenize(vocab, inputs) {
  const events = [];
  for await (const item of readEvents(inputs, createAdapter('zeek'))) if (item.event) events.push(item.event);
  const tokenizer = ClusterTokenizer.fromFile(vocab);
  const perType = {};
  // one warm-up pass, then the timed one
  for (const e of events) tokenizer.token(e);
  const t0 = performance.now();
  const tokens = events.map((e) => tokenizer.token(e));
  const seconds = (performance.now() - t0) / 1000;
  events.forEach((e, i) => {
    const lt = logTypeOf(e);
    const p = (perType[lt] ??= { records: 0, noise: 0, unseen: 0, distinct: new Set() });
    p.records += 1;
    if (tokens[i].endsWith(':noise')) p.noise += 1;
    if (tokens[i].endsWith(':unseen')) p.unseen += 1;
    p.distinct.add(tokens[i]);
  });
  for (const p of Object.values(perType)) p.distinct = p.distinct.size;
  return { records: events.length, seconds, tokensPerSecond: events.length / seconds, perType };
}

const results = {};
for (const [name, fitOn, assignOn] of [['stratosphere-008', await day('008'), await day('010')], ['wrccdc', wrccdc, wrccdc]]) {
  const f = await fit(name, fitOn);
  process.stdout.write(`fit ${name}: sampling ${f.sampleSeconds.toFixed(2)} s, clustering ${f.clusterSeconds.toFixed(2)} s (sample ${sample} per log type)\n`);
  for (const lt of f.logTypes) process.stdout.write(`  ${lt.logType.padEnd(12)} ${String(lt.seen).padStart(6)} records, sample ${String(lt.sample).padStart(5)}, ${String(lt.clusters).padStart(3)} clusters, noise ${(lt.noiseShare * 100).toFixed(1)}% of the sample\n`);
  const t = await tokenize(f.out, assignOn);
  process.stdout.write(`tokens ${name === 'wrccdc' ? 'wrccdc (every record)' : 'stratosphere-010 (held out)'}: ${t.records} records in ${t.seconds.toFixed(3)} s = ${Math.round(t.tokensPerSecond)} tokens/s\n`);
  for (const [lt, p] of Object.entries(t.perType)) process.stdout.write(`  ${lt.padEnd(12)} ${String(p.records).padStart(6)} records, noise ${(100 * p.noise / p.records).toFixed(1)}%, unseen ${(100 * p.unseen / p.records).toFixed(1)}%, ${p.distinct} distinct tokens\n`);
  results[name] = { fit: { ...f, out: undefined }, tokens: t };
}
const out = join(root, 'bench', 'results');
await mkdir(out, { recursive: true });
await writeFile(join(out, 'zeek-vocab.json'), JSON.stringify(results, null, 2));
await rm(tmp, { recursive: true, force: true });
