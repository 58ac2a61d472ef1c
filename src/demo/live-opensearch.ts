// The demo's live stage: the test days go through the sidecar's _bulk proxy into a real OpenSearch, as a
// shipper would send them, and the analyst's and the alert's views are read back from the index.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadServeConfig } from '../config/load-serve-config.js';
import { isNoEvent } from '../adapters/adapter.js';
import { createAdapter } from '../adapters/registry.js';
import { OpenSearchError, SeqSentryError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { install } from '../install/installer.js';
import { createOpenSearchClient, rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { OpenSearchConfigSchema } from '../opensearch/config.js';
import { startSidecar, type Sidecar } from '../server/sidecar.js';
import { connectLocalOpenSearch, type LocalOpenSearch } from './local-opensearch.js';

export const DEMO_INDEX = 'seqsentry-demo-auth';
/** The simulated clock's second 0 (LANL times are seconds from the start of the data set). */
const EPOCH_MS = Date.UTC(2026, 0, 5);
const BULK_DOCS = 2000;

export interface LiveOptions {
  modelDir: string;
  /** LANL test-day CSV, as scored offline. */
  testCsv: string;
  /** The offline `seqsentry score` output for the same file and model: the scores the index must match. */
  offlineScores: string;
  /** Red-team labels, to mark the top events and users. */
  isRedTeam: (time: number, user: string, src: string, dst: string) => boolean;
  isRedTeamUser: (user: string) => boolean;
  /** An OpenSearch to use instead of the local node. */
  opensearchUrl?: string;
  keepOpenSearch: boolean;
  say: (line: string) => void;
}

const Hit = z.object({ _source: z.record(z.string(), z.unknown()), sort: z.array(z.unknown()).optional() });
const SearchBody = z.object({ hits: z.object({ hits: z.array(Hit) }) });
const ScoreLine = z.object({ line: z.number(), anomaly_score: z.number().optional() });

const lanl = createAdapter('lanl');

/** The LANL event of a line, read by the adapter the sidecar uses. */
function lanlEvent(line: string, source: SourceRef): CanonicalEvent {
  const event = lanl.parse(line, source);
  if (!event || isNoEvent(event)) throw new SeqSentryError(`${source.file}:${source.line}: not a LANL event`);
  return event;
}

/** The shipped document for one LANL line: the raw line as `message`, the parsed entities for aggregations. */
function shipped(line: string, lineNo: number, file: string): Record<string, unknown> {
  const event = lanlEvent(line, { file, line: lineNo });
  return {
    '@timestamp': new Date(EPOCH_MS + event.time * 1000).toISOString(),
    message: line,
    event: { sequence: lineNo },
    user: { name: event.entities.user },
    source: { domain: event.entities.src_host },
    host: { name: event.entities.dst_host },
  };
}

async function offlineScores(file: string): Promise<Map<number, number>> {
  const byLine = new Map<number, number>();
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const parsed = ScoreLine.parse(JSON.parse(text));
    if (parsed.anomaly_score !== undefined) byLine.set(parsed.line, parsed.anomaly_score);
  }
  return byLine;
}

/** Sends the CSV through the proxy in bulks of about BULK_DOCS; `event.sequence` = line number, to match scores back. */
async function ingest(sidecar: Sidecar, token: string, csv: string): Promise<{ docs: number; seconds: number }> {
  let lineNo = 0;
  let docs = 0;
  let body: string[] = [];
  const started = performance.now();
  const flush = async () => {
    if (body.length === 0) return;
    const res = await fetch(`${sidecar.url}/${DEMO_INDEX}/_bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: body.join('\n') + '\n',
    });
    const answer = (await res.json()) as { errors?: boolean; items?: Array<Record<string, { error?: unknown }>> };
    if (res.status !== 200 || answer.errors) {
      const first = answer.items?.map((i) => Object.values(i)[0]?.error).find(Boolean);
      throw new OpenSearchError('demo bulk via the proxy', `HTTP ${res.status}: ${JSON.stringify(first ?? answer).slice(0, 300)}`, res.status, DEMO_INDEX);
    }
    body = [];
  };
  let lastTime: unknown;
  for await (const line of createInterface({ input: createReadStream(csv), crlfDelay: Infinity })) {
    lineNo += 1;
    if (line.trim() === '' || line.startsWith('time,')) continue;
    const doc = shipped(line, lineNo, csv);
    // A bulk ends between two seconds: a second split between two bulks would be ordered within each bulk only
    // (docs/contracts.md, "Canonical order"), and this demo checks that the index holds exactly the offline scores.
    if (body.length >= 2 * BULK_DOCS && doc['@timestamp'] !== lastTime) await flush();
    lastTime = doc['@timestamp'];
    body.push('{"index":{}}', JSON.stringify(doc));
    docs += 1;
  }
  await flush();
  return { docs, seconds: (performance.now() - started) / 1000 };
}

async function search(client: OpenSearchClient, body: unknown): Promise<any> {
  return (await rawRequest(client, 'POST', `/${DEMO_INDEX}/_search`, body)).body;
}

/** Every stored anomaly_score by line, read back with search_after over pages sorted by event.sequence. */
async function storedScores(client: OpenSearchClient): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let after: unknown[] | undefined;
  for (;;) {
    const body = { size: 10_000, _source: ['anomaly_score', 'event.sequence'], sort: [{ 'event.sequence': 'asc' }], ...(after ? { search_after: after } : {}) };
    const page = SearchBody.parse(await search(client, body));
    for (const h of page.hits.hits) {
      const seq = (h._source.event as { sequence?: unknown } | undefined)?.sequence;
      if (typeof h._source.anomaly_score === 'number' && typeof seq === 'number') out.set(seq, h._source.anomaly_score);
    }
    if (page.hits.hits.length < 10_000) return out;
    after = page.hits.hits.at(-1)!.sort;
  }
}

async function report(client: OpenSearchClient, opts: LiveOptions, docs: number): Promise<void> {
  const { say } = opts;
  const count = async (query: unknown) => ((await rawRequest(client, 'POST', `/${DEMO_INDEX}/_count`, { query })).body as { count: number }).count;
  const scored = await count({ exists: { field: 'anomaly_score' } });
  const flagged = await count({ term: { 'anomaly.is_anomaly': true } });
  say(`${DEMO_INDEX}: ${docs} documents, ${scored} with anomaly_score, ${flagged} flagged anomaly.is_anomaly (anomaly_score >= threshold)`);

  const stored = await storedScores(client);
  const offline = await offlineScores(opts.offlineScores);
  let maxDiff = 0;
  let compared = 0;
  for (const [line, score] of offline) {
    const s = stored.get(line);
    if (s === undefined) continue;
    compared += 1;
    maxDiff = Math.max(maxDiff, Math.abs(s - score));
  }
  say(`the index holds the offline scores: ${compared} of ${offline.size} events compared, max |Δ anomaly_score| = ${maxDiff.toExponential(2)}`);

  // The analyst's view: the top events with their explanation.
  // anomaly_score is a float field: near 1 many events tie, so anomaly.raw breaks the ties.
  const top = SearchBody.parse(await search(client, { size: 10, sort: [{ anomaly_score: 'desc' }, { 'anomaly.raw': 'desc' }], query: { exists: { field: 'anomaly_score' } } }));
  say('\ntop 10 events in OpenSearch (sort anomaly_score, anomaly.raw desc), * = red team:');
  for (const h of top.hits.hits) {
    const src = h._source as { message: string; anomaly_score: number; anomaly: { fields: Array<{ name: string; value: string; expected: string; surprisal: number }> } };
    const { time, entities: e } = lanlEvent(src.message, { file: DEMO_INDEX, line: 1 });
    const why = src.anomaly.fields.slice(0, 2).map((f) => `${f.name}=${f.value} (expected ${f.expected}, ${f.surprisal.toFixed(1)} nats)`).join('; ');
    say(`  ${opts.isRedTeam(time, e.user ?? '', e.src_host ?? '', e.dst_host ?? '') ? '*' : ' '} ${src.anomaly_score.toFixed(6)}  t=${time} ${e.user} ${e.src_host}→${e.dst_host}  ${why}`);
  }

  // The alert's view: users by number of flagged events, with their highest score (what the monitors aggregate).
  const agg = await search(client, {
    size: 0,
    query: { term: { 'anomaly.is_anomaly': true } },
    aggs: { users: { terms: { field: 'user.name.keyword', size: 8 }, aggs: { max_raw: { max: { field: 'anomaly.raw' } } } } },
  });
  say('\nusers with the most flagged events (terms on user.name over anomaly.is_anomaly: true), * = has red-team events:');
  for (const b of agg.aggregations.users.buckets as Array<{ key: string; doc_count: number; max_raw: { value: number } }>) {
    say(`  ${opts.isRedTeamUser(b.key) ? '*' : ' '} ${b.key.padEnd(24)} ${String(b.doc_count).padStart(4)} flagged, max anomaly.raw ${b.max_raw.value.toFixed(1)}`);
  }
}

/** Runs the live stage; returns the OpenSearch URL it used and whether it stopped a node it had started. */
export async function runLiveStage(opts: LiveOptions): Promise<{ url: string; stopped: boolean }> {
  const { say } = opts;
  let local: LocalOpenSearch | undefined;
  const url = opts.opensearchUrl ?? (local = await connectLocalOpenSearch(say)).url;
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  const token = randomBytes(24).toString('hex');
  let sidecar: Sidecar | undefined;
  let stopped = false;
  try {
    // The content pack's templates, for the demo index only (no sidecar URL: the ML Commons parts are skipped).
    const installed = await install(client, { indexPatterns: ['seqsentry-demo-*'], dryRun: false });
    say(`seqsentry install: ${installed.items.map((i) => `${i.action} ${i.kind} ${i.id}`).join(', ')}`);
    await rawRequest(client, 'DELETE', `/${DEMO_INDEX}`, undefined, { accept: [404] });
    sidecar = await startSidecar(loadServeConfig({ env: { SEQSENTRY_TOKEN: token }, overrides: { model_dir: opts.modelDir, 'listen.port': 0, 'opensearch.url': url } }));
    const { docs, seconds } = await ingest(sidecar, token, opts.testCsv);
    say(`sent ${docs} events through the sidecar's _bulk proxy (${sidecar.url}) in ${seconds.toFixed(1)} s: ${Math.round(docs / seconds)} docs/s`);
    await rawRequest(client, 'POST', `/${DEMO_INDEX}/_refresh`);
    await report(client, opts, docs);
  } finally {
    await sidecar?.shutdown();
    await client.close();
    if (local && !opts.keepOpenSearch) stopped = await local.release();
  }
  return { url, stopped };
}
