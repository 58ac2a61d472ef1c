// Shared parts of the OpenSearch benchmarks: the OpenSearch URL, small REST calls, deterministic ECS logons,
// a cached ECS model trained through the real `seqsentry train`, and a `seqsentry serve` child process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export const root = resolve(new URL('../..', import.meta.url).pathname);
export const dist = new URL('../../dist/', import.meta.url);

/** OPENSEARCH_URL, else the local node of scripts/opensearch.mjs; fails with what to do. */
export function openSearchUrl() {
  const url = (process.env.OPENSEARCH_URL ?? spawnSync(process.execPath, [join(root, 'scripts', 'opensearch.mjs'), 'url'], { encoding: 'utf8' }).stdout.trim()).replace(/\/+$/, '');
  if (!url) throw new Error('no OpenSearch: set OPENSEARCH_URL or run `node scripts/opensearch.mjs start`');
  return url;
}

/** One REST call; a string body is sent as NDJSON. */
export async function call(base, method, path, body, headers = {}) {
  const ndjson = typeof body === 'string';
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' }), ...headers },
    body: body === undefined ? undefined : ndjson ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { unparsed: text.slice(0, 300) };
  }
  return { status: res.status, json };
}

/** Spacing of the benchmarks' logons, in training as in the measured traffic (ms). */
export const LOGON_STEP_MS = 250;
/** The bench model's logons start at this midnight (UTC); the hour-of-day token and habits are all it keeps of it. */
const TRAIN_START_MS = Date.UTC(2026, 0, 5);
/** Logons the bench model is trained on unless a bench says otherwise (ecsBenchModel's trainEvents). */
export const TRAIN_EVENTS = 20_000;
const DAY_MS = 86_400_000;

/**
 * Deterministic ECS logons: `users` users with a home workstation and three usual servers, 5 % noise. `at` is the
 * first logon's time (ms), the others 250 ms apart, or a function of the logon's index (benchTimes).
 */
export function* ecsLogons(n, seed, at, users = 2000) {
  const time = typeof at === 'function' ? at : (i) => at + i * LOGON_STEP_MS;
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const u = Math.floor(rand() * users);
    const noisy = rand() < 0.05;
    yield {
      '@timestamp': new Date(time(i)).toISOString(),
      user: { name: `user${u}`, domain: u % 7 === 0 ? 'LAB' : 'CORP' },
      source: { domain: noisy ? `ws-${Math.floor(rand() * users)}` : `ws-${u}`, ip: `10.${(u >> 8) & 255}.${u & 255}.${noisy ? 99 : 10}` },
      host: { name: noisy ? `srv-${Math.floor(rand() * 200)}` : `srv-${(u * 3 + Math.floor(rand() * 3)) % 200}` },
      event: { action: rand() < 0.9 ? 'logged-in' : 'logged-out', outcome: rand() < 0.97 ? 'success' : 'failure', category: ['authentication'] },
      winlog: { logon: { type: u % 5 === 0 ? 'Interactive' : 'Network' }, event_data: { AuthenticationPackageName: u % 3 === 0 ? 'NTLM' : 'Kerberos' } },
    };
  }
}

/**
 * When a benchmark's `n` logons happen, as ecsLogons takes it. By default ordinary traffic, the kind a SIEM mostly
 * sees: the bench model learned hours of day from its `trainEvents` logons 250 ms apart from 00:00 UTC (83 minutes
 * for 20,000), so the measured logons come at those same times of day, 250 ms apart, one such stretch a day, the last
 * one `daysBack` days ago (a bench that needs earlier events before its measured ones takes a larger daysBack).
 * Scored so, a few percent are explained in full, as normal traffic above the explain threshold (0.99) is.
 * `unusualHours`: the worst case the benchmarks measured until December 2026, one stretch from `hoursAgo` before now;
 * those hours are new to the model, so every logon scores 1 and carries the full explanation (reason hour:user).
 */
export function benchTimes(n, { unusualHours = false, hoursAgo = 10, trainEvents = TRAIN_EVENTS, daysBack = 1 } = {}) {
  if (unusualHours) {
    const start = Date.now() - hoursAgo * 3600_000;
    return (i) => start + i * LOGON_STEP_MS;
  }
  const days = Math.ceil(n / trainEvents);
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const first = today - (days + daysBack - 1) * DAY_MS;
  return (i) => first + Math.floor(i / trainEvents) * DAY_MS + (i % trainEvents) * LOGON_STEP_MS;
}

/** The CLI flag that turns benchTimes' unusualHours on, for parseArgs. */
export const UNUSUAL_HOURS_OPTION = { 'unusual-hours': { type: 'boolean', default: false } };

/** Documents of `index` that carry the full explanation (only they keep the raw score, anomaly.raw). */
export async function explainedInFull(base, index) {
  await call(base, 'POST', `/${index}/_refresh`);
  return (await call(base, 'POST', `/${index}/_count`, { query: { exists: { field: 'anomaly.raw' } } })).json.count;
}

/** Runs `fn` with stderr muted (the trainer's progress lines would drown the figures). */
export async function quiet(fn) {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

/**
 * The directory of an ECS model of `kind` trained on `trainEvents` logons, trained once into `work`; `screen`: a cascade
 * with a context-free screen at that threshold (train --screen), null for the model alone (train --no-screen), absent
 * for what `train` does by default (ECS's transformer-mlm: a cascade at 0.99, models/kinds.json).
 */
export async function ecsBenchModel(work, { kind = 'transformer-mlm', context = 8, trainEvents = TRAIN_EVENTS, screen: asked } = {}) {
  const { defaultScreenFor } = await import(new URL('model/kinds.js', dist));
  const screen = asked === undefined ? (defaultScreenFor('ecs', kind) ?? null) : asked;
  const contextual = kind !== 'lstm-lm';
  const modelDir = join(work, `model-${kind}${contextual ? `-c${context}` : ''}${screen === null ? '' : `-screen${screen}`}-${trainEvents}`);
  if (existsSync(join(modelDir, 'bundle.json'))) return modelDir;
  const { train } = await import(new URL('commands/train.js', dist));
  await mkdir(work, { recursive: true }); // a bench whose --out is new has no work folder yet
  const input = join(work, 'train.jsonl');
  await writeFile(input, [...ecsLogons(trainEvents, 7, TRAIN_START_MS)].map((d) => JSON.stringify(d)).join('\n') + '\n');
  process.stderr.write(`training ${kind} on ${trainEvents} events...\n`);
  await quiet(() => train({ format: 'ecs', inputs: [input], modelDir, kind, epochs: 1, seed: 1, ...(contextual ? { context } : {}), screen, minCount: 2, hourToken: true, strict: true }));
  return modelDir;
}

/** The ECS event fields the benchmarks index (keyword entity fields). */
export const ECS_EVENT_PROPERTIES = {
  '@timestamp': { type: 'date' },
  user: { properties: { name: { type: 'keyword' }, domain: { type: 'keyword' } } },
  source: { properties: { domain: { type: 'keyword' }, ip: { type: 'ip' } } },
  host: { properties: { name: { type: 'keyword' } } },
  event: { properties: { action: { type: 'keyword' }, outcome: { type: 'keyword' }, category: { type: 'keyword' } } },
};

/** The anomaly fields exactly as the content pack maps them (its component template, read, never copied). */
export const ANOMALY_PROPERTIES = JSON.parse(readFileSync(join(root, 'pipelines', 'templates', 'seqsentry-anomaly-fields.json'), 'utf8')).template.mappings.properties;

/** The mappings the ECS benchmarks index into: the event fields and the anomaly fields. */
export const ECS_BENCH_MAPPINGS = { properties: { ...ECS_EVENT_PROPERTIES, ...ANOMALY_PROPERTIES } };

/**
 * Starts `seqsentry serve` as a user would (a child process, its own event loop and ONNX threads) and resolves
 * with its base URL and a stop function once its model is loaded.
 */
export async function startServe({ modelDir, opensearchUrl, token, settings = {} }) {
  const configFile = join(root, 'bench', 'results', `serve-${process.pid}.json`);
  await mkdir(dirname(configFile), { recursive: true }); // a fresh checkout has no bench/results yet
  await writeFile(configFile, JSON.stringify({ model_dir: modelDir, listen: { host: '127.0.0.1', port: 0 }, opensearch: { url: opensearchUrl }, ...settings }));
  const child = spawn(process.execPath, [...(process.env.SEQSENTRY_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), join(root, 'bin', 'seqsentry.js'), 'serve', '--config', configFile], {
    cwd: root, env: { ...process.env, SEQSENTRY_TOKEN: token, SEQSENTRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`seqsentry serve exited with ${code} before listening`)));
  });
  // Ready enough to measure once the model is loaded (/readyz names it, to a token holder, even while OpenSearch
  // is unreachable).
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json()).catch(() => null);
    if (ready?.model) break;
    if (i === 600) throw new Error(`seqsentry serve at ${url}: model not loaded after 60 s: ${JSON.stringify(ready)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => new Promise((done) => {
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  return { url, stop, pid: child.pid };
}

/** The pid of the local node of scripts/opensearch.mjs when it serves `url`, else null (a remote cluster). */
export function openSearchPid(url) {
  const status = spawnSync(process.execPath, [join(root, 'scripts', 'opensearch.mjs'), 'status'], { encoding: 'utf8' });
  try {
    const s = JSON.parse(status.stdout);
    return s.running && s.url === url ? s.pid : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a /proc stat line, in seconds (fields 14 and 15; the command name may hold spaces). */
function statSeconds(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** User + system CPU seconds a process (and its threads) has used so far, from /proc; null when unknown. */
export function cpuSeconds(pid) {
  if (!pid) return null;
  try {
    return statSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * User + system CPU seconds of this process's children that have exited and been waited for (cutime + cstime,
 * fields 16 and 17 of /proc/self/stat): how a benchmark measures a child process it ran to completion.
 */
export function exitedChildrenCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8');
  const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[13]) + Number(rest[14])) / CLOCK_TICKS;
}

/** CPU seconds of each live thread of a process: `main` (its JS thread), else `<name>-<tid>`; {} when unknown. */
export function threadCpuSeconds(pid) {
  const byName = {};
  if (!pid) return byName;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name = String(pid) === tid ? 'main' : `${readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()}-${tid}`;
      byName[name] = statSeconds(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    }
  } catch {
    // a thread ended between listing and reading: the sums are partial, which is fine for a breakdown
  }
  return byName;
}

/** The p-th percentile (0..100) of an ascending-sorted array. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Each document's JSON with the anomaly fields the proxy adds (same scorer, same serializer), scored before any
 * timing: what OpenSearch alone is given for the proxy's output. `explainAbove` as the sidecar's default unless set.
 */
export async function prescoredLines(modelDir, docs, { explainAbove } = {}) {
  const [{ Scorer }, { createAdapter }, { anomalyFields }, { withAnomalyFields }] = await Promise.all(
    ['scorer/scorer.js', 'adapters/registry.js', 'service/anomaly-fields.js', 'server/anomaly-json.js'].map((m) => import(new URL(m, dist))),
  );
  const scorer = await Scorer.load(modelDir);
  try {
    const adapter = createAdapter('ecs');
    const results = await scorer.score(docs.map((d, i) => adapter.parse(d, { file: 'bench', line: i + 1 })), docs.map(() => 'bench'));
    const at = new Date().toISOString();
    return docs.map((d, i) => withAnomalyFields(JSON.stringify(d), d, anomalyFields(results[i], scorer.modelId, scorer.threshold, at, undefined, explainAbove)));
  } finally {
    await scorer.close();
  }
}
