// The streaming paths hold events for a reordering window: one user's logons carried by two workers that overtake
// each other get the scores they get in time order; without the window they do not. A sender that is alone is never
// held (nobody else can send what would come first), and a hold lasts at most the window on the clock.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { Scorer } from '../src/scorer/scorer.js';
import { createAdapter } from '../src/adapters/registry.js';
import { ecsDocs, type EcsDoc } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { call, startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

// Longer than serve's default (2 s): the window also bounds how long a sender's parallelism is remembered, and on a
// starved machine (the whole suite on 2 cores) a gap of 2 s between the two workers' overlapping requests once let
// an event go before its predecessor (raw off by 2.5e-2). The logic tested is the same at any length.
const WINDOW_MS = 4_000;
const BASE_MS = Date.UTC(2026, 1, 2, 9);

/** 40 logons of one user, 0.5 s apart in event time. */
function burst(): EcsDoc[] {
  const docs = ecsDocs({ users: 4, days: 10 }).filter((d) => (d.user as { name: string }).name === 'user01').slice(0, 40);
  return docs.map((d, i) => ({ ...d, '@timestamp': new Date(BASE_MS + i * 500).toISOString() }));
}

const scoreOne = async (sidecar: Sidecar, doc: EcsDoc, scope: string) => {
  const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope, events: [doc] } });
  return res.json.results[0].anomaly.raw as number;
};

/**
 * A POST /v1/score whose body follows its headers after `delayMs`: a request certainly in flight while another
 * one arrives (two workers of one shipper overlapping), so that the sidecar learns this sender sends two at once.
 */
function slowScore(sidecar: Sidecar, doc: EcsDoc, scope: string, delayMs: number): Promise<number> {
  const body = JSON.stringify({ scope, events: [doc] });
  return new Promise((resolve, reject) => {
    const req = request(`${sidecar.url}/v1/score`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text).results[0].anomaly.raw as number));
    });
    req.on('error', reject);
    req.flushHeaders();
    setTimeout(() => req.end(body), delayMs);
  });
}

/**
 * Two requests from this client in flight at once: their bodies complete together, so both are being scored at the
 * same time (a request counts as in flight once its body has arrived: a stalled body holds nobody back).
 */
async function overlap(sidecar: Sidecar, doc: EcsDoc, scope: string): Promise<void> {
  await Promise.all([slowScore(sidecar, doc, `${scope}-a`, 150), slowScore(sidecar, doc, `${scope}-b`, 150)]);
}

/**
 * Two shippers' workers, each with one request in flight, carry one user's logons: the odd ones go a little
 * ahead of the even ones (a second of jitter, 0.5 s in event time), so event 2k+1 arrives before event 2k.
 * They start with two overlapping requests (another user's logon), as such workers do. Raw scores by document.
 */
async function twoWorkers(sidecar: Sidecar, docs: EcsDoc[], scope: string): Promise<number[]> {
  const raw = new Array<number>(docs.length);
  await overlap(sidecar, { ...docs[0]!, user: { name: 'someone-else', domain: 'CORP' } }, `${scope}-warm`);
  const worker = async (parity: number, delayMs: number) => {
    for (let i = parity; i < docs.length; i += 2) {
      await new Promise((r) => setTimeout(r, delayMs));
      raw[i] = await scoreOne(sidecar, docs[i]!, scope);
    }
  };
  await Promise.all([worker(1, 0), worker(0, 25)]);
  return raw;
}

const lateCount = async (sidecar: Sidecar) => {
  const text = (await call(sidecar.url, 'GET', '/metrics')).text;
  return Number(/^seqsentry_events_late_total (\d+)/m.exec(text)?.[1] ?? NaN);
};

describe('reordering window', () => {
  const docs = burst();
  let inOrder: number[] = [];
  let windowed: Sidecar;
  let immediate: Sidecar;

  beforeAll(async () => {
    const scorer = await Scorer.load(await ecsModel());
    try {
      const adapter = createAdapter('ecs');
      const events = docs.map((d, i) => adapter.parse(d, { file: 'inline', line: i + 1 })!);
      inOrder = (await scorer.score(events, events.map(() => 'jitter'))).map((r) => r.raw);
    } finally {
      await scorer.close();
    }
    // Every event explained in full: orders are compared by raw score, written only with the full explanation.
    windowed = await startTestSidecar({ 'history.reorder_window_ms': WINDOW_MS, 'explanation.full_above': 0 });
    immediate = await startTestSidecar({ 'history.reorder_window_ms': 0, 'explanation.full_above': 0 });
  }, 600_000);
  afterAll(async () => {
    await windowed?.shutdown();
    await immediate?.shutdown();
  });

  it('scores two workers\' interleaved requests in time order, and counts none late', async () => {
    const raw = await twoWorkers(windowed, docs, 'jitter');
    // To 5e-3: float32 sums move in the last bits with the batch an event lands in, and the fused score's tail tables
    // can magnify that: on a loaded machine, where more requests share a batch, 3.3e-3 was measured. A missed
    // predecessor moves raw by 1e-2 or more.
    raw.forEach((v, i) => expect(v, `event ${i}`).toBeCloseTo(inOrder[i]!, 2));
    expect(await lateCount(windowed)).toBe(0);
  });

  it('without a window scores on arrival: each even event misses its predecessor and is counted late', async () => {
    const raw = await twoWorkers(immediate, docs, 'jitter');
    const differ = raw.filter((v, i) => Math.abs(v - inOrder[i]!) > 1e-3).length;
    expect(differ).toBeGreaterThan(10);
    expect(await lateCount(immediate)).toBeGreaterThan(10);
  });

  it('never slows a lone sender with one request in flight: nobody else can send what would come first', async () => {
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200)); // the workers above are no longer recent senders
    const started = Date.now();
    for (const doc of docs.slice(0, 10)) await scoreOne(windowed, doc, 'lone');
    expect(Date.now() - started).toBeLessThan(WINDOW_MS);
  });

  it('does not count refused callers as senders: a flood of requests without a token never holds a shipper', async () => {
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
    // Another address sends scoring requests without a token, several at once, all the while (each gets 401).
    let flooding = true;
    const statuses: number[] = [];
    const unauthenticated = () => new Promise<void>((resolve) => {
      const req = request(`${windowed.url}/v1/score`, { method: 'POST', localAddress: '127.0.0.2', headers: { 'content-type': 'application/json' } }, (res) => {
        statuses.push(res.statusCode ?? 0);
        res.resume().on('end', () => resolve());
      });
      req.on('error', () => resolve());
      req.end('{"scope":"x","events":[]}');
    });
    const flood = Promise.all(Array.from({ length: 4 }, async () => {
      while (flooding) await unauthenticated();
    }));
    try {
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      for (const doc of docs.slice(0, 10)) await scoreOne(windowed, doc, 'flooded');
      expect(Date.now() - started).toBeLessThan(WINDOW_MS);
    } finally {
      flooding = false;
      await flood;
    }
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([401]));
  });

  it('holds an event at most the window on the clock while another sender is recent but silent', async () => {
    // Two requests at once, then only one more.
    await overlap(windowed, docs[0]!, 'pair');
    const started = Date.now();
    const raw = await scoreOne(windowed, docs[1]!, 'pair-a');
    const waited = Date.now() - started;
    expect(raw).toBeTypeOf('number');
    expect(waited).toBeGreaterThanOrEqual(WINDOW_MS / 2);
    expect(waited).toBeLessThan(WINDOW_MS + 5_000);
  });
});
