// One format's shipped documents through the three paths against the real OpenSearch: (A) the sidecar's _bulk proxy,
// restarted half-way so the second half is scored with history refilled from OpenSearch; (B) the seqsentry-score
// ingest pipeline through ML Commons; (C) enrich over the documents stored unscored. Plus a control: the second half
// proxied over a first half without its scores and anomaly.entity stamps. The per-format test files assert on the result.
import { expect } from 'vitest';
import { isNoEvent, type Adapter } from '../../src/adapters/adapter.js';
import { createAdapter } from '../../src/adapters/registry.js';
import type { CanonicalEvent } from '../../src/core/event.js';
import { install } from '../../src/install/installer.js';
import { createOpenSearchClient } from '../../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../../src/opensearch/config.js';
import { canonicalOrder } from '../../src/scorer/order.js';
import { Scorer } from '../../src/scorer/scorer.js';
import type { Sidecar } from '../../src/server/sidecar.js';
import { allDocs, dropCheckpoints, ecsIndexBody, os, runEnrich, type EnrichRun } from './enrich-fixture.js';
import { holdSidecarPort, TEST_INSTALL_OPTIONS, TEST_SIDECAR_PORT, TEST_SIDECAR_TOKEN, withInstallLock } from './ml-sidecar.js';
import { call, ndjson, startTestSidecar } from './sidecar-fixture.js';

export const PATHS = ['proxy', 'pipeline', 'enrich'] as const;
export type PathName = (typeof PATHS)[number];
export type Stored = Map<string, { version: number; source: any }>;
export type Doc = Record<string, unknown>;

export const docId = (i: number): string => `d${i}`;

/** What the adapter makes of one shipped document: its event, or why it holds none (a skip or an unreadable record). */
export type Reading = { event: CanonicalEvent } | { reason: string };

export interface PathsRun {
  /** Each path's documents by id; `unstamped`: the control index (documents from `split` on only). */
  stored: Record<PathName | 'unstamped', Stored>;
  /** The proxy's sidecar was restarted before document `split`: from there on it refilled history from OpenSearch. */
  split: number;
  readings: Reading[];
  adapter: Adapter;
  /** The bundle's context entity: the one its stamps carry and its history is refilled by. */
  entityKey: string;
}

function read(adapter: Adapter, doc: Doc, i: number): Reading {
  try {
    const e = adapter.parse(doc, { file: 'shipped', line: i + 1 });
    if (e === null) return { reason: 'empty record' };
    return isNoEvent(e) ? { reason: e.skip } : { event: e };
  } catch (err) {
    return { reason: (err as Error).message.replace(/^shipped:\d+: /, '') };
  }
}

/** The first document from the middle on whose event time is later than every event before it: no time is cut in two. */
function splitPoint(readings: Reading[]): number {
  let latest = -Infinity;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    if (!('event' in r)) continue;
    if (i >= readings.length / 2 && r.event.time > latest) return i;
    latest = Math.max(latest, r.event.time);
  }
  throw new Error('no time boundary in the second half of the documents');
}

async function proxyBulk(sidecar: Sidecar, index: string, docs: Doc[], first: number): Promise<void> {
  const res = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, {
    token: TEST_SIDECAR_TOKEN,
    body: ndjson(...docs.flatMap((d, j) => [{ index: { _id: docId(first + j) } }, d])),
  });
  if (res.status !== 200 || res.json.errors) {
    const failed = res.status === 200 ? (res.json.items as Array<Record<string, { _id: string; error?: unknown }>>).flatMap((it) => Object.values(it)).filter((r) => r.error) : [];
    throw new Error(`proxy bulk into ${index}: ${res.status} ${failed.length ? `${failed.length} failed, first: ${JSON.stringify(failed.slice(0, 3))}` : res.text.slice(0, 500)}`);
  }
}

async function createIndex(url: string, index: string, body: Record<string, unknown>): Promise<void> {
  const created = await os(url, 'PUT', `/${index}`, body);
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
}

/**
 * Ships `docs` (in time order, as the shipper sends them) through every path with the bundle in `modelDir`, on
 * TEST_SIDECAR_PORT (the port the installed ML Commons connector calls), into indices created with `indexBody` (the
 * content pack's ECS auth mappings and anomaly fields unless told). Cleans up its indices and checkpoints.
 */
export async function shipThroughEveryPath(url: string, name: string, modelDir: string, docs: Doc[], since: string, indexBody: Record<string, unknown> = ecsIndexBody()): Promise<PathsRun> {
  const tag = `${name}-${process.pid}-${Date.now().toString(36)}`;
  // Inside the test install's index pattern (seqsentry-itest-*), so the content pack's templates apply.
  const index = { proxy: `seqsentry-itest-proxy-${tag}`, pipeline: `seqsentry-itest-pipeline-${tag}`, enrich: `seqsentry-itest-enrich-${tag}`, unstamped: `seqsentry-itest-unstamped-${tag}` };
  const job = `test-format-paths-${tag}`;
  const scorer = await Scorer.load(modelDir);
  const adapter = createAdapter(scorer.bundle.format, scorer.bundle.adapter_options);
  const readings = docs.map((d, i) => read(adapter, d, i));
  const split = splitPoint(readings);

  const releasePort = await holdSidecarPort();
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  // Every event explained in full on every path: the paths are compared by raw score too, written only with the full explanation.
  // The daily alert budget off on every path: it depends on what each scorer saw before (the proxy's restart empties
  // it, the pipeline follows the proxy into the same sidecar), so is_anomaly is compared as the threshold sets it.
  // The budget's own test: test/sidecar-paths-share-one-daily-budget.os.test.ts.
  const settings = { 'opensearch.url': url, 'history.refill': true, 'listen.port': TEST_SIDECAR_PORT, model_dir: modelDir, 'explanation.full_above': 0, 'budget.enabled': false };
  const env = { SEQSENTRY_TOKEN: TEST_SIDECAR_TOKEN };
  let sidecar: Sidecar | undefined;
  try {
    await withInstallLock(() => install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false }));
    for (const i of Object.values(index)) await createIndex(url, i, indexBody);

    // (A) the proxy, one bulk per half; the sidecar restarts in between and refills the second half's history.
    sidecar = await startTestSidecar(settings, env);
    await proxyBulk(sidecar, index.proxy, docs.slice(0, split), 0);
    await sidecar.shutdown();
    sidecar = await startTestSidecar(settings, env);
    await proxyBulk(sidecar, index.proxy, docs.slice(split), split);

    // (B) the ingest pipeline, one document per bulk: ML Commons sends a bulk's calls concurrently, in no order.
    // Events go in canonical order (time, then the encoded event: what the scorer orders ties by), so that events
    // of one entity and one time reach the sidecar as the proxy and enrich order them; documents of no event first.
    const events = readings.flatMap((r, i) => ('event' in r ? [{ i, time: r.event.time, row: scorer.encode(r.event) }] : []));
    const order = [
      ...readings.flatMap((r, i) => ('event' in r ? [] : [i])),
      ...canonicalOrder(events.map((e) => e.time), events.map((e) => e.row)).map((k) => events[k]!.i),
    ];
    for (const i of order) {
      const res = await os(url, 'POST', '/_bulk?pipeline=seqsentry-score', ndjson({ index: { _index: index.pipeline, _id: docId(i) } }, docs[i]));
      if (res.status !== 200 || res.json.errors) throw new Error(`pipeline bulk ${docId(i)}: ${JSON.stringify(res.json)}`);
    }

    // (C) enrich: the documents stored unscored, then scored in place.
    const load = await os(url, 'POST', '/_bulk?refresh=true', ndjson(...docs.flatMap((d, i) => [{ index: { _index: index.enrich, _id: docId(i) } }, d])));
    if (load.status !== 200 || load.json.errors) throw new Error(`load ${index.enrich}: ${JSON.stringify(load.json).slice(0, 500)}`);
    await dropCheckpoints(url, job);
    const run: EnrichRun = { pattern: index.enrich, job, pageSize: 50, batchSize: 256, since, explainAbove: 0, budget: null };
    const stats = await runEnrich(url, modelDir, run);
    if (stats.scored + stats.unreadable !== docs.length) throw new Error(`enrich wrote ${stats.scored} scores and ${stats.unreadable} errors for ${docs.length} documents: ${JSON.stringify(stats)}`);

    // Control: the proxy's first half without the anomaly.entity stamps and without its scores, then the second half
    // through the sidecar, which has never seen this index: its refill, by anomaly.entity or (Windows) by the account
    // field of scored events that carry no stamp, finds nothing.
    const firstHalf = await allDocs(url, index.proxy);
    const unstamped = [...firstHalf].filter(([id]) => Number(id.slice(1)) < split).flatMap(([id, { source }]) => {
      const { entity: _dropped, ...anomaly } = source.anomaly as Record<string, unknown>;
      const { anomaly_score: _unscored, ...rest } = source as Record<string, unknown>;
      return [{ index: { _index: index.unstamped, _id: id } }, { ...rest, anomaly }];
    });
    const copied = await os(url, 'POST', '/_bulk?refresh=true', ndjson(...unstamped));
    if (copied.status !== 200 || copied.json.errors) throw new Error(`copy into ${index.unstamped}: ${JSON.stringify(copied.json).slice(0, 500)}`);
    await proxyBulk(sidecar, index.unstamped, docs.slice(split), split);

    const stored = {} as PathsRun['stored'];
    for (const path of Object.keys(index) as Array<keyof typeof index>) stored[path] = await allDocs(url, index[path]);
    return { stored, split, readings, adapter, entityKey: scorer.bundle.entity_key };
  } finally {
    await sidecar?.shutdown();
    releasePort();
    for (const i of Object.values(index)) await os(url, 'DELETE', `/${i}?ignore_unavailable=true`);
    await dropCheckpoints(url, job);
    await client.close();
    await scorer.close();
  }
}

/**
 * The tolerance between paths, the three-paths-give-the-same-score test's. Every path runs the same model on the
 * same context rows; what may differ is the batch an event is scored in (a 150-document bulk, one document per
 * ML Commons call, enrich pages of 50), and an ONNX build may reduce float32 sums of a larger batch in another
 * order, which moves a score in its last bits (~1e-7). On these samples the paths agree exactly (largest difference
 * 0 in raw score and anomaly_score, measured on 2026-12-05); a context difference moves raw scores by 1e-6 to 1e-1.
 */
export const PATH_TOLERANCE = 1e-6;

/** Each path stored every document once, as shipped, with the anomaly fields added and nothing else changed. */
export function expectEveryDocumentOnce(run: PathsRun, docs: Doc[]): void {
  for (const path of PATHS) {
    const got = run.stored[path];
    expect(got.size, path).toBe(docs.length);
    docs.forEach((doc, i) => {
      const { anomaly_score: _score, anomaly, ...rest } = got.get(docId(i))!.source;
      expect(rest, `${path} ${docId(i)}`).toEqual(doc);
      expect(anomaly, `${path} ${docId(i)}`).toBeDefined();
    });
  }
}

/** JSON with object keys sorted: the ingest pipeline's documents come back with their keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/**
 * Events get the same score, raw score, explanation and stamps on every path; the stamps are the adapter's entity
 * (left out only where the adapter names fields the refill finds it by) and, for documents with no time field, its
 * time. Events identical in time, fields and entities are one token sequence whichever comes first, and which of them
 * gets which score follows arrival order (docs/contracts.md, "Canonical order", 4): the paths' arrival orders differ
 * (enrich walks ties by _id, and "d100" sorts before "d99"), so such a group is compared as a set. Returns how many
 * events were compared; every mismatch is reported at once.
 */
export function expectSameScores(run: PathsRun): number {
  const key = run.entityKey;
  const groups = new Map<string, number[]>();
  run.readings.forEach((r, i) => {
    if (!('event' in r)) return;
    const k = JSON.stringify([r.event.time, r.event.fields, r.event.entities]);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const mismatches: string[] = [];
  const stamps: string[] = [];
  let compared = 0;
  for (const members of groups.values()) {
    const fromPath = (path: PathName) => members.map((i) => run.stored[path].get(docId(i))!.source).sort((x, y) => x.anomaly.raw - y.anomaly.raw);
    const a = fromPath('proxy');
    for (const i of members) {
      const got = run.stored.proxy.get(docId(i))!.source.anomaly;
      const event = (run.readings[i] as { event: CanonicalEvent }).event;
      const own = run.adapter.documentFields;
      const entityOk = got.entity === undefined ? own?.foldedEntityPaths?.[key] !== undefined : got.entity === event.entities[key];
      if (!entityOk || got.time !== (own === null ? event.time : undefined)) stamps.push(`${docId(i)}: stamped ${got.entity}@${got.time}, event ${event.entities[key]}@${event.time}`);
    }
    for (const path of ['pipeline', 'enrich'] as const) {
      const b = fromPath(path);
      b.forEach((y, j) => {
        const x = a[j];
        const where = `${path} ${members.map(docId).join('/')}`;
        if (y.anomaly.error !== undefined || x.anomaly.error !== undefined) return void mismatches.push(`${where}: error ${y.anomaly.error ?? x.anomaly.error}`);
        if (Math.abs(y.anomaly_score - x.anomaly_score) >= PATH_TOLERANCE || Math.abs(y.anomaly.raw - x.anomaly.raw) >= PATH_TOLERANCE) {
          mismatches.push(`${where} (${x.anomaly.entity}): anomaly_score ${x.anomaly_score} / ${y.anomaly_score}, raw ${x.anomaly.raw} / ${y.anomaly.raw}`);
        }
        const parts = { explanation: (d: any) => d.anomaly.fields.map((f: { name: string }) => f.name), is_anomaly: (d: any) => d.anomaly.is_anomaly, model: (d: any) => d.anomaly.model, stamps: (d: any) => [d.anomaly.entity, d.anomaly.time] };
        for (const [part, f] of Object.entries(parts)) if (canonical(f(x)) !== canonical(f(y))) mismatches.push(`${where}: ${part} ${canonical(f(x))} / ${canonical(f(y))}`);
      });
    }
    compared += members.length;
  }
  expect(stamps, 'anomaly.entity and anomaly.time are the adapter\'s, where written').toEqual([]);
  expect(mismatches, 'the same anomaly fields on every path').toEqual([]);
  return compared;
}

/** Documents of no event (or unreadable ones) are stored on every path, unscored, with anomaly.error ending in the reason. */
export function expectErrorsKept(run: PathsRun): string[] {
  const reasons: string[] = [];
  run.readings.forEach((r, i) => {
    if (!('reason' in r)) return;
    for (const path of PATHS) {
      const { anomaly_score: score, anomaly } = run.stored[path].get(docId(i))!.source;
      expect(score ?? null, `${path} ${docId(i)}`).toBeNull();
      expect(anomaly.error, `${path} ${docId(i)}`).toMatch(new RegExp(`: ${r.reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
    reasons.push(r.reason);
  });
  return reasons;
}

/**
 * After the restart the proxy refilled history by the stamps: the second half's scores equal the other paths'
 * (expectSameScores). The control shows that the stamps are what the refill found: without them, each entity's first
 * event after the restart is scored with an empty context, and its raw score moves by more than PATH_TOLERANCE (only
 * the first few move: the context is the entity's last `context_length` events, refilled or not). Returns, per entity
 * of the first half seen again after the restart, that first event and how far the control's raw score is from it.
 */
export function firstEventsAfterRestart(run: PathsRun): Array<{ entity: string; doc: string; moved: number }> {
  const key = run.entityKey;
  const before = new Set(run.readings.slice(0, run.split).flatMap((r) => ('event' in r ? [r.event.entities[key]] : [])));
  const seen = new Set<string>();
  const out: Array<{ entity: string; doc: string; moved: number }> = [];
  run.readings.forEach((r, i) => {
    if (i < run.split || !('event' in r)) return;
    const entity = r.event.entities[key] as string;
    if (!before.has(entity) || seen.has(entity)) return;
    seen.add(entity);
    const warm = run.stored.proxy.get(docId(i))!.source.anomaly.raw as number;
    const cold = run.stored.unstamped.get(docId(i))!.source.anomaly.raw as number;
    out.push({ entity, doc: docId(i), moved: Math.abs(cold - warm) });
  });
  return out;
}
