// Groups a V8 CPU profile's samples (node --cpu-prof) into stages of the sidecar's work. Each sample goes to the
// stage of the innermost frame on its stack that is the project's own code or a library it calls (dist/, undici,
// zod...), so a builtin such as JSON.parse counts for the code that called it; a stack with none of those (Node's
// HTTP parser and socket callbacks) goes by its innermost Node frame.
import { readFileSync } from 'node:fs';

/** Stages by the frame's `functionName url`, first match wins; `project` rules are tried on each frame leaf-first. */
export const SIDECAR_STAGES = Object.freeze({
  leaf: [
    ['idle', /^\(idle\) /],
    ['garbage collection', /^\(garbage collector\) /],
  ],
  project: [
    ['NDJSON split + JSON.parse of each line (bulk-ndjson)', /server\/bulk-ndjson/],
    ['adapter (record → canonical event)', /dist\/adapters\//],
    ['history + refill (keys, get/push, OpenSearch search)', /scorer\/history|opensearch\/history-loader|opensearch\/client|@opensearch-project/],
    ['encode (token ids, tie-break, recall hashes)', /tokenizer\/|scorer\/order/],
    ['model, main thread (token tensor, ONNX on the loop, worker messages)', /model\/runtime|model\/onnx|raw-score|onnxruntime/],
    ['memory statistics (pairs, novelty, hour, recall)', /memory\/entity-memory|memory\/pairs/],
    ['fusion tails + calibration', /memory\/fusion|memory\/tail|calibrate/],
    ['scorer (batch, results, explanation)', /scorer\/scorer|scorer\/daily-budget/],
    ['anomaly fields (objects, stamp)', /service\/anomaly-fields|service\/entity-stamp/],
    ['scoring service (batching, reordering window)', /service\/scoring-service|service\/senders|service\/bounded-values|service\/model-switch/],
    ['output line (anomaly JSON spliced into the source line)', /server\/anomaly-json|server\/json-members|fast-json-stringify/],
    ['forwarded body, answer parse and merge (bulk route)', /server\/bulk-forward|server\/bulk-ids|server\/bulk-policy|routes\/bulk/],
    ['HTTP to OpenSearch (undici)', /node_modules\/undici|opensearch\/http/],
    ['ML Commons route (body, zod, answer)', /routes\/ml-commons|node_modules\/zod/],
    ['HTTP server (routing, body, auth, metrics, reply)', /server\/http-server|server\/body|server\/auth|server\/metrics|server\/prometheus|server\/http-errors/],
  ],
  node: [
    ['HTTP and sockets (Node internals)', /node:_http|node:net|node:internal\/(streams|stream_base|http|net|js_stream)|writev|writeUtf8String|writeBuffer|onStreamRead/],
    ['timers, promises, async hooks (Node internals)', /node:internal\/(timers|process\/task_queues|async_hooks|async_context)|processTicksAndRejections|listOnTimeout/],
  ],
});

const key = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url}`;
const stageOf = (rules, k) => rules.find(([, re]) => re.test(k))?.[0];

/**
 * µs of samples per stage (a Map, 'other' last) and the busy total, from a .cpuprofile file; with `window`, only the
 * samples taken within it (µs of the monotonic clock: V8 stamps profiles with the clock of process.hrtime, so a
 * driver can leave the sidecar's start-up and shutdown out).
 */
export function profileStages(file, stages = SIDECAR_STAGES, window = { from: -Infinity, to: Infinity }) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map();
  const classify = (id) => {
    if (memo.has(id)) return memo.get(id);
    let stage = stageOf(stages.leaf, key(nodes.get(id).callFrame));
    for (let at = id; stage === undefined && at !== undefined; at = parent.get(at)) stage = stageOf(stages.project, key(nodes.get(at).callFrame));
    for (let at = id; stage === undefined && at !== undefined; at = parent.get(at)) stage = stageOf(stages.node, key(nodes.get(at).callFrame));
    memo.set(id, stage ?? 'other');
    return memo.get(id);
  };
  const names = [...stages.leaf, ...stages.project, ...stages.node].map(([name]) => name);
  const sums = new Map([...names.map((name) => [name, 0]), ['other', 0]]);
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < window.from || at > window.to) return;
    const stage = classify(id);
    sums.set(stage, sums.get(stage) + dt);
  });
  const busy = [...sums].reduce((s, [name, us]) => (name === 'idle' ? s : s + us), 0);
  return { sums, busy };
}

/** A markdown table of the busy stages per unit (document, call) and as a share of the busy samples. */
export function stagesTable({ sums, busy }, units, unitName = 'doc') {
  const rows = [`| stage | µs/${unitName} | share |`, '|---|---:|---:|'];
  for (const [name, us] of [...sums].filter(([name]) => name !== 'idle').sort((a, b) => b[1] - a[1])) {
    rows.push(`| ${name} | ${(us / units).toFixed(1)} | ${((100 * us) / busy).toFixed(1)}% |`);
  }
  rows.push(`| **busy** | **${(busy / units).toFixed(1)}** | |`);
  return rows.join('\n');
}

/** A frame's module: its file under dist/ or node_modules/, a node: module, or the V8 / native name it has instead. */
const shortUrl = (url) => url.replace(/^.*\/(dist|node_modules)\//, '$1/');
const moduleOf = ({ functionName, url }) => (url ? shortUrl(url) : `(${functionName.replace(/[()]/g, '')})`);

/** The `top` functions with the most self time, or with `byModule` the modules (the self time of their functions summed). */
function selfTimes(file, window, byModule) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const sums = new Map();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < window.from || at > window.to) return;
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') return;
    const { functionName, url, lineNumber } = frame;
    const name = byModule ? moduleOf(frame) : `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    sums.set(name, (sums.get(name) ?? 0) + dt);
    busy += dt;
  });
  return { sums, busy };
}

/**
 * The `top` functions with the most self time (samples whose innermost frame they are) within `window`, or with
 * `byModule` the modules whose functions have the most, as a markdown table per unit: what a stage table does not say, e.g. for the ONNX worker's thread, whose code no stage names.
 */
export function selfTimeTable(file, units, { window = { from: -Infinity, to: Infinity }, top = 15, unitName = 'doc', byModule = false } = {}) {
  const { sums, busy } = selfTimes(file, window, byModule);
  const rows = [`| ${byModule ? 'module' : 'function'} (self time) | µs/${unitName} | share |`, '|---|---:|---:|'];
  for (const [name, us] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) rows.push(`| ${name.replace(/\|/g, '\\|')} | ${(us / units).toFixed(1)} | ${((100 * us) / busy).toFixed(1)}% |`);
  rows.push(`| **busy** | **${(busy / units).toFixed(1)}** | |`);
  return rows.join('\n');
}
