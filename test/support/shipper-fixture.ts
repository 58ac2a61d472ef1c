// A real shipper in front of the sidecar's _bulk proxy: the sidecar (LANL model, real OpenSearch), syslog messages
// holding real LANL auth lines sent to the shipper over TCP, and the checks on what reaches OpenSearch.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createAdapter } from '../../src/adapters/registry.js';
import { loadServeConfig } from '../../src/config/load-serve-config.js';
import type { CanonicalEvent } from '../../src/core/event.js';
import { Scorer, type ScoreResult } from '../../src/scorer/scorer.js';
import { startSidecar, type Sidecar } from '../../src/server/sidecar.js';
import { REPO_ROOT, shared, type ShipperInstall } from './env.js';
import { lanlModel } from './model-fixture.js';
import { allDocs, deleteIndex, os, uniqueIndex } from './os-helpers.js';
import { call, closedPort, TOKEN } from './sidecar-fixture.js';

const SHIPPED_LINES = 300;
export const AUTH_INFO = 38; // <facility auth (4) * 8 + severity info (6)>
const USER_INFO = 14; // facility user: the samples' filters drop it
/** Auth messages that hold no LANL line: written unscored, with the reason. */
const NOT_LANL = ['pam_unix(sshd:session): session opened for user root', 'Accepted publickey for deploy from 10.0.0.7'];
export const BASE_MS = Date.UTC(2026, 11, 1, 8);
/** Message i is stamped BASE_MS + i seconds, which names it again in the stored document's @timestamp. */
const stampOf = (i: number): string => new Date(BASE_MS + i * 1000).toISOString().replace('.000Z', 'Z');

export const sample = (file: string): string => readFileSync(join(REPO_ROOT, 'pipelines', 'shippers', file), 'utf8');

export interface ShipperLaunch {
  /** The shipper's command-line arguments; files it needs are written into `work` by `configure`. */
  args: string[];
}

export interface ShippingContext {
  /** A folder of this run (config, state, pid files). */
  work: string;
  sidecarPort: number;
  /** Where the shipper must listen for syslog over TCP (RFC 5424, one message per line). */
  tcpPort: number;
  /** Prefix of the index the shipper writes to (instead of the samples' seqsentry-auth-). */
  index: string;
  token: string;
}

export interface ShippingRun {
  index: string;
  sidecarUrl: string;
  modelDir: string;
  lines: string[];
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Sends RFC 5424 messages to the shipper's TCP input, retrying the connection while the shipper starts; message k is
 * stamped BASE_MS + (first + k) seconds.
 */
export async function sendSyslog(port: number, messages: Array<{ pri: number; msg: string }>, shipper: ChildProcess, log: () => string, first = 0): Promise<void> {
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        messages.forEach((m, i) => socket.write(`<${m.pri}>1 ${stampOf(first + i)} auth-collector sshd - - - ${m.msg}\n`));
        socket.end(resolve);
      });
      socket.on('error', reject);
    });
  for (let attempt = 0; ; attempt++) {
    try {
      return await once();
    } catch (err) {
      if (attempt === 100 || shipper.exitCode !== null) throw new Error(`the shipper did not accept on ${port}: ${(err as Error).message}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts the sidecar (LANL model, OpenSearch at `url`) and the shipper that `configure` sets up, and sends it
 * SHIPPED_LINES auth messages holding day-1 LANL lines, two auth messages that are no LANL line, and one user-facility
 * message the samples filter out.
 */
export async function shipThroughProxy(
  url: string,
  shipper: ShipperInstall,
  name: string,
  configure: (ctx: ShippingContext) => ShipperLaunch,
  sidecarSettings: Record<string, unknown> = {},
): Promise<ShippingRun> {
  const modelDir = await lanlModel();
  const lines = readFileSync(shared('lanl', 'safekit-heads', 'day1_head_decoded.csv'), 'utf8').split('\n').slice(1, 1 + SHIPPED_LINES);
  const sidecar: Sidecar = await startSidecar(loadServeConfig({ env: { SEQSENTRY_TOKEN: TOKEN }, overrides: { model_dir: modelDir, 'listen.port': 0, 'opensearch.url': url, ...sidecarSettings } }));
  const index = uniqueIndex(name);
  const ctx: ShippingContext = { work: mkdtempSync(join(tmpdir(), `seqsentry-${name}-`)), sidecarPort: Number(new URL(sidecar.url).port), tcpPort: await closedPort(), index, token: TOKEN };
  const { args } = configure(ctx);
  const child = spawn(shipper.binary, args, {
    env: { ...process.env, ...(shipper.libraryPath ? { LD_LIBRARY_PATH: shipper.libraryPath } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const log = () => `${name} output:\n${output}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await sidecar.shutdown();
    await deleteIndex(url, `${index}*`);
  };
  try {
    await sendSyslog(ctx.tcpPort, [...lines.map((msg) => ({ pri: AUTH_INFO, msg })), ...NOT_LANL.map((msg) => ({ pri: AUTH_INFO, msg })), { pri: USER_INFO, msg: lines[0]! }], child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { index, sidecarUrl: sidecar.url, modelDir, lines, log, stop };
}

/**
 * Every auth message is in OpenSearch once: the LANL lines scored, the others unscored with a located
 * anomaly.error; the filtered message is not there. With `inOrder` (no retries), the scores are those the offline
 * scorer gives the same lines in the same calls (fresh history) to 1e-6.
 */
export async function expectDeliveredAndScored(url: string, run: ShippingRun, { inOrder = true } = {}): Promise<void> {
  const want = run.lines.length + NOT_LANL.length;
  let count = 0;
  for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 250))) {
    await os(url, 'POST', `/${run.index}*/_refresh`);
    count = (await os(url, 'POST', `/${run.index}*/_count`)).json?.count ?? 0;
    if (count >= want) break;
  }
  expect(count, run.log()).toBe(want);

  const byStamp = new Map<number, Record<string, any>>();
  for (const d of await allDocs(url, `${run.index}*`)) byStamp.set((Date.parse(d['@timestamp']) - BASE_MS) / 1000, d);
  expect(byStamp.size).toBe(want); // one document per message: no duplicates from retries
  expect(byStamp.has(want)).toBe(false); // the user-facility copy, sent last, was filtered out

  NOT_LANL.forEach((msg, k) => {
    const doc = byStamp.get(run.lines.length + k);
    expect(doc?.message).toBe(msg);
    expect(doc?.anomaly_score).toBeUndefined();
    expect(doc?.anomaly?.error).toMatch(/^_bulk:\d+: expected 9 comma-separated columns/); // located: source, line, reason
  });

  const scorer = await Scorer.load(run.modelDir);
  try {
    const adapter = createAdapter('lanl');
    const events = run.lines.map((l, i) => adapter.parse(l, { file: 'day1', line: i + 2 }) as CanonicalEvent);
    // The sidecar scores what one bulk brings in canonical order; it cannot know, while the shipper waits for its
    // answer, that the next bulk holds more events of the same second (LANL times are whole seconds). So the offline
    // scorer is given the same calls: the events of each batch (one anomaly.scored_at), batch after batch.
    const batches = new Map<string, number[]>();
    run.lines.forEach((_, i) => {
      const at = String(byStamp.get(i)?.anomaly?.scored_at);
      batches.set(at, [...(batches.get(at) ?? []), i]);
    });
    const offline = new Array<ScoreResult>(events.length);
    for (const [, ids] of [...batches].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const results = await scorer.score(ids.map((i) => events[i]!), ids.map(() => 'offline'));
      ids.forEach((i, k) => (offline[i] = results[k]!));
    }
    let maxDelta = 0;
    run.lines.forEach((line, i) => {
      const doc = byStamp.get(i);
      expect(doc?.message, `message ${i}`).toBe(line);
      expect(doc?.anomaly?.error, `message ${i}`).toBeUndefined();
      expect(doc?.anomaly?.model?.kind).toBe('transformer-mlm');
      expect(doc?.anomaly_score).toBeGreaterThanOrEqual(0);
      maxDelta = Math.max(maxDelta, Math.abs((doc?.anomaly_score as number) - offline[i]!.anomaly_score));
    });
    if (inOrder) expect(maxDelta).toBeLessThanOrEqual(1e-6);
    // Real lines of day 1 are not all alike: the scores spread.
    expect(new Set(offline.map((r) => r.anomaly_score.toFixed(4))).size).toBeGreaterThan(10);
  } finally {
    await scorer.close();
  }
}

/**
 * A TCP link to OpenSearch that can be cut: nothing listens on `port` until `open()`, and `cut()` stops listening
 * and drops the open connections (OpenSearch itself keeps running for the other tests).
 */
export interface OpenSearchLink {
  url: string;
  open: () => Promise<void>;
  cut: () => Promise<void>;
  /** OpenSearch keeps taking requests, but its answers are held back until resume(): a cluster paused mid-answer. */
  pause: () => void;
  resume: () => void;
}

export function openSearchLink(port: number, opensearchUrl: string): OpenSearchLink {
  const target = new URL(opensearchUrl);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let paused = false;
  const held: Array<() => void> = [];
  return {
    url: `http://127.0.0.1:${port}`,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const deliver of held.splice(0)) deliver();
    },
    open: () =>
      new Promise<void>((resolve, reject) => {
        server = createServer((client) => {
          const upstream = connect(Number(target.port || 80), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => s.destroy());
          }
          client.pipe(upstream);
          upstream.on('data', (chunk: Buffer) => {
            const deliver = () => {
              if (!client.destroyed) client.write(chunk);
            };
            if (paused) held.push(deliver);
            else deliver();
          });
          upstream.on('end', () => {
            const end = () => client.end();
            if (paused) held.push(end);
            else end();
          });
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    cut: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = null;
    },
  };
}

/**
 * With OpenSearch cut off behind the sidecar: waits until the shipper has had at least two bulks refused (a first
 * attempt and a retry), brings OpenSearch back, and checks that every message is there once and scored (in the
 * order the shipper retried them, which need not be the order they were sent in).
 */
export async function expectSurvivesOutage(url: string, run: ShippingRun, link: { open: () => Promise<void> }): Promise<void> {
  let failures = 0;
  for (const started = Date.now(); failures < 2 && Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 200))) {
    const text = (await call(run.sidecarUrl, 'GET', '/metrics')).text;
    failures = Number(/seqsentry_errors_total\{kind="upstream"\} (\d+)/.exec(text)?.[1] ?? 0);
  }
  expect(failures, run.log()).toBeGreaterThanOrEqual(2);
  await link.open();
  await expectDeliveredAndScored(url, run, { inOrder: false });
}

/** Writes `text` into the run's folder and returns its path. */
export function writeConfig(ctx: ShippingContext, file: string, text: string): string {
  const path = join(ctx.work, file);
  writeFileSync(path, text);
  return path;
}
