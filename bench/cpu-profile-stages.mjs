#!/usr/bin/env node
// Where a `seqsentry score` process's main thread spends its time, from a V8 CPU profile: the samples grouped by
// stage (by the function and file they fell in), per event and as a share of the busy (non-idle) samples.
// Usage: node --cpu-prof --cpu-prof-dir DIR bin/seqsentry.js score ... ; then
//        node bench/cpu-profile-stages.mjs DIR/<the main thread's .cpuprofile, the larger one> EVENTS
// Samples are wall time of the thread while it runs, so a loaded machine stretches them: compare shares, and two
// builds profiled the same hour.
import { readFileSync } from 'node:fs';

const [file, events] = process.argv.slice(2);
if (!file || !Number(events)) throw new Error('usage: node bench/cpu-profile-stages.mjs PROFILE.cpuprofile EVENTS');
const profile = JSON.parse(readFileSync(file, 'utf8'));

/** Stage of a sample, by `functionName url`; the first rule that matches. */
const STAGES = [
  ['idle', /^\(idle\)/],
  ['garbage collection', /^\(garbage collector\)/],
  ['start-up (modules, ONNX session, memory.json)', /fromFile|loadBundle|node:internal\/modules|node:internal\/bootstrap|binding\.js|backend\.js|compileSourceTextModule|wrapSafe|internalModuleStat|realpath|source_map|package_json|node:path|zod|readFileUtf8|openFileHandle|inference-session|tokenizers|onnxruntime/],
  ['read + parse (file, UTF-8, adapter)', /adapters\/|^read |decode|node:internal\/encoding|node:internal\/fs\/streams|node:internal\/streams\/readable/],
  ['encode (token ids, tie-break, recall hashes)', /tokenizer\/|scorer\/order|recallRow|fnv1a/],
  ['history (keys, get / push)', /scorer\/history/],
  ['model, main thread (token tensor, worker messages)', /model\/runtime|model\/onnx|postMessage|raw-score/],
  ['memory statistics (pairs, novelty, hour, recall)', /memory\/entity-memory|memory\/pairs/],
  ['fusion tails + calibration', /memory\/fusion|memory\/tail|calibrate/],
  ['scorer (batching, results, explanation)', /scorer\/scorer/],
  ['output (lines, write)', /output\/score-line|fast-json-stringify|writeBuffer|writev|commands\/score|node:internal\/streams\/writable/],
];

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const sums = new Map([...STAGES.map(([name]) => [name, 0]), ['other', 0]]);
profile.samples.forEach((id, i) => {
  const { functionName, url } = nodes.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url}`;
  const stage = STAGES.find(([, re]) => re.test(key))?.[0] ?? 'other';
  sums.set(stage, sums.get(stage) + (profile.timeDeltas[i] ?? 0));
});
const busy = [...sums].reduce((s, [name, us]) => (name === 'idle' ? s : s + us), 0);
const n = Number(events);
console.log(`main thread busy ${(busy / 1e6).toFixed(1)} s: ${(busy / n).toFixed(1)} µs per event (idle ${(sums.get('idle') / 1e6).toFixed(1)} s)`);
console.log('| stage | µs/event | share |');
console.log('|---|---:|---:|');
for (const [name, us] of sums) if (name !== 'idle') console.log(`| ${name} | ${(us / n).toFixed(1)} | ${Math.round((100 * us) / busy)}% |`);
