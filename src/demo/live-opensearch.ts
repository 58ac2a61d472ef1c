// The demo's live stage: install the content pack, start the sidecar, send the test days through its _bulk proxy into a
// real OpenSearch as a shipper would, aggregate the entity notables, install again (the monitors' thresholds sized
// from the notables), then read back the analyst's view (top events), the riskiest users and hosts, what each alert
// monitor would fire for, what of the red team was caught, and where the dashboards are for import. An abort (the
// command's SIGINT/SIGTERM) stops it between steps and tears down what it started.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { createAdapter } from '../adapters/registry.js';
import { UsageError } from '../core/errors.js';
import { AGGREGATE_DEFAULTS, ENTITIES_INDEX, type AggregateStats } from '../aggregate/aggregate-options.js';
import { aggregateOnce, DEFAULT_NOTABLE_SETTINGS } from '../aggregate/run.js';
import { loadServeConfig } from '../config/load-serve-config.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { DEFAULT_ALERTS_PER_DAY, importCommand, install, type InstallResult } from '../install/installer.js';
import { createOpenSearchClient, rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig, OpenSearchConfigSchema } from '../opensearch/config.js';
import { startSidecar, type Sidecar } from '../server/sidecar.js';
import { ENTITY_GROUPS, evaluateMonitors, monitorsFor, notableEntities, riskiestEntities, type EntityGroup, type MonitorOutcome, type TimeRange } from './entity-report.js';
import { connectLocalOpenSearch, type LocalOpenSearch } from './local-opensearch.js';
import { lanlEvent, SHIPPED_ENTITY_FIELDS, shipThroughProxy } from './ship.js';

/** Matches the content pack's seqsentry-auth-* template: ECS entity fields as keywords, the anomaly fields. */
export const DEMO_INDEX = 'seqsentry-auth-demo';
const DAY_MS = 86_400_000;

export interface LiveOptions {
  modelDir: string;
  /** LANL test-day CSV, as scored offline. */
  testCsv: string;
  /** The offline `seqsentry score` output for the same file and model: the scores the index must match. */
  offlineScores: string;
  /** Simulated days (LANL time 0 is the first day's midnight): the clock is shifted so that they end today at 00:00 UTC. */
  days: number;
  /** Where the filled monitors and the dashboards' saved objects are written. */
  outDir: string;
  /** Red-team labels, to mark the top events and say which red-team users and hosts were caught. */
  isRedTeam: (time: number, user: string, src: string, dst: string) => boolean;
  redTeam: { users: ReadonlySet<string>; hosts: ReadonlySet<string> };
  /** An OpenSearch to use instead of the local node. */
  opensearchUrl?: string;
  /**
   * Install over another SeqSentry install of `opensearchUrl` (re-pointing its events template at the demo's index):
   * for a scratch node shared with other installs, as the tests' node is; never the CLI's.
   */
  overInstall?: boolean;
  keepOpenSearch: boolean;
  /** Aborting stops the stage between steps; what it started is torn down before it returns. */
  signal?: AbortSignal;
  say: (line: string) => void;
}

export interface LiveResult {
  url: string;
  /** Whether it stopped a node it had started. */
  stopped: boolean;
  sidecarUrl: string;
  aggregate: AggregateStats;
  monitors: MonitorOutcome[];
  /** Per group, the red-team entities found notable or alerted on. */
  caught: Record<EntityGroup, string[]>;
  dashboardsFile?: string;
}

const Hit = z.object({ _source: z.record(z.string(), z.unknown()), sort: z.array(z.unknown()).optional() });
const SearchBody = z.object({ hits: z.object({ hits: z.array(Hit) }) });
const ScoreLine = z.object({ line: z.number(), anomaly_score: z.number().optional() });

async function offlineScores(file: string): Promise<Map<number, number>> {
  const byLine = new Map<number, number>();
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const parsed = ScoreLine.parse(JSON.parse(text));
    if (parsed.anomaly_score !== undefined) byLine.set(parsed.line, parsed.anomaly_score);
  }
  return byLine;
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

/** The index against the offline scores, and the analyst's view: the top events with their explanation. */
async function reportEvents(client: OpenSearchClient, opts: LiveOptions, docs: number): Promise<void> {
  const { say } = opts;
  const count = async (query: unknown) => ((await rawRequest(client, 'POST', `/${DEMO_INDEX}/_count`, { query })).body as { count: number }).count;
  const scored = await count({ exists: { field: 'anomaly_score' } });
  const flagged = await count({ term: { 'anomaly.is_anomaly': true } });
  say(`${DEMO_INDEX}: ${docs} documents, ${scored} with anomaly_score, ${flagged} flagged anomaly.is_anomaly (anomaly_score >= threshold, within the daily alert budget)`);

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

  // anomaly_score is a float field: near 1 many events tie, so anomaly.raw breaks the ties.
  const top = SearchBody.parse(await search(client, { size: 10, sort: [{ anomaly_score: 'desc' }, { 'anomaly.raw': 'desc' }], query: { exists: { field: 'anomaly_score' } } }));
  say('\ntop 10 events in OpenSearch (sort anomaly_score, anomaly.raw desc), * = red team:');
  for (const h of top.hits.hits) {
    const src = h._source as { message: string; anomaly_score: number; anomaly: { fields: Array<{ name: string; value: string; expected: string; surprisal: number }> } };
    const { time, entities: e } = lanlEvent(src.message, { file: DEMO_INDEX, line: 1 });
    const why = src.anomaly.fields.slice(0, 2).map((f) => `${f.name}=${f.value} (expected ${f.expected}, ${f.surprisal.toFixed(1)} nats)`).join('; ');
    say(`  ${opts.isRedTeam(time, e.user ?? '', e.src_host ?? '', e.dst_host ?? '') ? '*' : ' '} ${src.anomaly_score.toFixed(6)}  t=${time} ${e.user} ${e.src_host}→${e.dst_host}  ${why}`);
  }
}

const GROUP_LABEL: Record<EntityGroup, string> = { user: 'users', host: 'hosts (source or destination)' };

function redTeamOf(opts: LiveOptions, group: EntityGroup): ReadonlySet<string> {
  return group === 'user' ? opts.redTeam.users : opts.redTeam.hosts;
}

/** The riskiest users and hosts, with the explanation of each one's riskiest window. */
async function reportEntities(client: OpenSearchClient, opts: LiveOptions, range: TimeRange): Promise<void> {
  for (const group of Object.keys(ENTITY_GROUPS) as EntityGroup[]) {
    opts.say(`\ntop ${GROUP_LABEL[group]} by risk in seqsentry-entities, * = red team:`);
    for (const e of await riskiestEntities(client, group, range, 8)) {
      const why = e.explain.map((x) => `${x.field}=${x.value}${x.events > 1 ? ` (${x.events} events)` : ''}`).join(', ');
      opts.say(`  ${redTeamOf(opts, group).has(e.value) ? '*' : ' '} ${e.value.padEnd(12)} risk ${e.risk.toFixed(2).padStart(6)}  ${String(e.notableWindows).padStart(2)} notable windows, ${String(e.anomalous).padStart(3)} anomalous events, max score ${e.maxScore.toFixed(6)}  explained by ${why || '-'}${e.reason ? ` [${e.reason}]` : ''}`);
    }
  }
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function list(values: readonly string[], redTeam: ReadonlySet<string>, max = 12): string {
  const shown = values.slice(0, max).map((v) => `${v}${redTeam.has(v) ? '*' : ''}`).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown || 'nobody';
}

function reportMonitors(opts: LiveOptions, outcomes: readonly MonitorOutcome[]): void {
  opts.say('\nalert monitors as install filled them, run against OpenSearch over the test days (the Alerting plugin is not on this node), * = red team:');
  for (const o of outcomes) {
    if (o.type === 'bucket') {
      const fired = o.firings.map((f) => f.key);
      const runs = new Set(o.firings.flatMap((f) => f.runs)).size;
      opts.say(`  ${o.name} (risk >= ${String(o.params.risk_threshold)} or >= ${String(o.params.anomalous_threshold)} anomalous events in the last hour): fires in ${runs} of ${o.runs} scheduled runs, for ${fired.length} ${o.group}s: ${list(fired, redTeamOf(opts, o.group))}`);
      for (const f of o.firings.filter((x) => redTeamOf(opts, o.group).has(x.key)).slice(0, 6)) {
        opts.say(`      ${f.key}: first at ${isoMinute(f.runs[0]!)} UTC (risk ${(f.first.max_risk ?? 0).toFixed(2)}, ${f.first.anomalous_events ?? 0} anomalous events), in ${f.runs.length} runs`);
      }
    } else {
      const users = [...o.entities.user.keys()];
      const hosts = [...o.entities.host.keys()];
      opts.say(`  ${o.name} (${o.query}): ${o.total} events, users ${list(users, opts.redTeam.users)}; hosts ${list(hosts, opts.redTeam.hosts)}`);
    }
  }
}

/** For every red-team user and host: notable, alerted by which monitors, or missed. Answers the caught ones. */
async function reportRedTeam(client: OpenSearchClient, opts: LiveOptions, range: TimeRange, outcomes: readonly MonitorOutcome[]): Promise<Record<EntityGroup, string[]>> {
  const caught: Record<EntityGroup, string[]> = { user: [], host: [] };
  opts.say('\nthe red team (the simulator\'s labels): caught = notable in seqsentry-entities or named by a monitor');
  for (const group of Object.keys(ENTITY_GROUPS) as EntityGroup[]) {
    const notable = await notableEntities(client, group, range);
    const red = [...redTeamOf(opts, group)].sort();
    const lines: string[] = [];
    for (const value of red) {
      const alerted = monitorsFor(outcomes, group, value);
      const isNotable = notable.has(value);
      if (isNotable || alerted.length > 0) caught[group].push(value);
      lines.push(`    ${isNotable || alerted.length ? 'caught' : 'missed'}  ${value.padEnd(12)} ${isNotable ? 'notable' : 'not notable'}; ${alerted.length ? `alerted by ${alerted.join(', ')}` : 'no monitor fires'}`);
    }
    opts.say(`  red-team ${GROUP_LABEL[group]}: ${caught[group].length} of ${red.length} caught`);
    for (const l of lines) opts.say(l);
  }
  return caught;
}

async function aggregateNotables(client: OpenSearchClient, range: TimeRange): Promise<AggregateStats> {
  const run = { pattern: DEMO_INDEX, adapter: createAdapter('ecs'), entities: Object.fromEntries(Object.entries(SHIPPED_ENTITY_FIELDS).map(([kind, field]) => [kind, [field]])), sinceMs: range.fromMs, untilMs: range.toMs + 1, ...DEFAULT_NOTABLE_SETTINGS, backoff: DEFAULT_BACKOFF };
  return (await aggregateOnce(client, run)).stats;
}

function sayInstall(say: (line: string) => void, label: string, result: InstallResult): void {
  const counts = new Map<string, number>();
  for (const i of result.items) counts.set(i.action, (counts.get(i.action) ?? 0) + 1);
  say(`seqsentry install (${label}): ${[...counts].map(([a, n]) => `${n} ${a}`).join(', ')}`);
  for (const n of result.notes) say(`  ${n}`);
}

/**
 * Runs the live stage. The sidecar it starts is always shut down, and the local node it started stopped unless
 * `keepOpenSearch`, also when `signal` aborts it (then it rejects with the abort reason).
 */
/** The index template whose patterns say where a SeqSentry install writes its events' mapping. */
const EVENTS_TEMPLATE = 'seqsentry-events';

/**
 * Why the demo must not install into a cluster whose `seqsentry-events` template covers other indices than the
 * demo's (an install of the user's own: the demo would re-point it at its index), or null when it may.
 */
export function anotherInstall(patterns: readonly string[] | null, url: string, template = EVENTS_TEMPLATE): string | null {
  if (patterns === null || (patterns.length === 1 && patterns[0] === DEMO_INDEX)) return null;
  return `${url} has SeqSentry installed for ${patterns.join(', ')} (index template ${template}): the demo would install its own content over it, for ${DEMO_INDEX} only. Point --opensearch-url at a scratch node, or leave it out to use a local one`;
}

/** Refuses (UsageError) a cluster with another install (`anotherInstall`), read from its `template`. */
export async function refuseAnotherInstall(client: OpenSearchClient, url: string, template = EVENTS_TEMPLATE): Promise<void> {
  const res = await rawRequest(client, 'GET', `/_index_template/${encodeURIComponent(template)}`, undefined, { accept: [404] });
  const found = res.status === 404 ? undefined : (res.body as { index_templates?: { index_template?: { index_patterns?: string[] | string } }[] }).index_templates?.[0]?.index_template;
  const patterns = found ? [found.index_patterns ?? []].flat() : null;
  const why = anotherInstall(patterns, url, template);
  if (why) throw new UsageError(why);
}

export async function runLiveStage(opts: LiveOptions): Promise<LiveResult> {
  const { say, signal } = opts;
  let local: LocalOpenSearch | undefined;
  let client: OpenSearchClient | undefined;
  let sidecar: Sidecar | undefined;
  let stopped = false;
  let result: Omit<LiveResult, 'stopped'>;
  try {
    signal?.throwIfAborted();
    const url = opts.opensearchUrl ?? (local = await connectLocalOpenSearch(say)).url;
    signal?.throwIfAborted();
    // A cluster of the user's own is reached as every command reaches it (OPENSEARCH_CA_FILE, _USERNAME, ...).
    client = createOpenSearchClient(opts.opensearchUrl ? openSearchConfig(url) : OpenSearchConfigSchema.parse({ url }));
    if (opts.opensearchUrl && !opts.overInstall) await refuseAnotherInstall(client, url);
    const token = randomBytes(24).toString('hex');
    // LANL time 0 is the first simulated day's midnight; the test days end today at 00:00 UTC, so that the monitors'
    // and install's "last 7 days" and Dashboards' default ranges see them.
    const epochMs = Math.floor(Date.now() / DAY_MS) * DAY_MS - opts.days * DAY_MS;
    const volume = await testVolume(opts.testCsv);
    const installOptions = {
      // the demo's index alone (a local node of its own, or --over-install), not added to another install's patterns
      indexPatterns: [DEMO_INDEX], replaceIndexPatterns: true, dryRun: false, modelDir: opts.modelDir,
      alerting: { alerts_per_day: DEFAULT_ALERTS_PER_DAY, events_per_day: volume.events / volume.days },
      monitorsFile: join(opts.outDir, 'seqsentry-monitors.json'), dashboardsFile: join(opts.outDir, 'seqsentry-dashboards.ndjson'),
    };
    // Templates first (the demo index takes its mapping from them); no sidecar URL: the ML Commons parts are skipped.
    sayInstall(say, 'before shipping', await install(client, installOptions));
    // A previous run's events, and the notables aggregated from them (only those: other indices' notables stay).
    await rawRequest(client, 'DELETE', `/${DEMO_INDEX}`, undefined, { accept: [404] });
    await deleteDemoNotables(client);
    signal?.throwIfAborted();
    const osEnv = opts.opensearchUrl ? Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OPENSEARCH_'))) : {};
    sidecar = await startSidecar(loadServeConfig({ env: { ...osEnv, SEQSENTRY_TOKEN: token }, overrides: { model_dir: opts.modelDir, 'listen.port': 0, 'opensearch.url': url } }));
    const sent = await shipThroughProxy(sidecar.url, token, DEMO_INDEX, opts.testCsv, epochMs, signal);
    say(`sent ${sent.docs} events through the sidecar's _bulk proxy (${sidecar.url}) in ${sent.seconds.toFixed(1)} s: ${Math.round(sent.docs / sent.seconds)} docs/s`);
    await rawRequest(client, 'POST', `/${DEMO_INDEX}/_refresh`);
    await reportEvents(client, opts, sent.docs);
    signal?.throwIfAborted();

    const range: TimeRange = { fromMs: sent.fromMs, toMs: sent.toMs };
    const t0 = performance.now();
    const agg = await aggregateNotables(client, range);
    await rawRequest(client, 'POST', `/${ENTITIES_INDEX}/_refresh`);
    say(`\nseqsentry aggregate: ${agg.events} events in ${agg.windows} anomalous entity windows (${AGGREGATE_DEFAULTS.window} windows, risk half-life ${AGGREGATE_DEFAULTS.halfLife}, notable when anomalous in ${AGGREGATE_DEFAULTS.notableWindows} windows within ${AGGREGATE_DEFAULTS.stretch}): ${agg.notable} notable, ${agg.created} written, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    signal?.throwIfAborted();
    // Again, now that seqsentry-entities holds notables: the monitors are sized from the entities they hold.
    const installed = await install(client, installOptions);
    sayInstall(say, 'after aggregate', installed);
    await reportEntities(client, opts, range);
    signal?.throwIfAborted();
    const monitors = await evaluateMonitors(client, installed.monitors, range, { user: [SHIPPED_ENTITY_FIELDS.user], host: [SHIPPED_ENTITY_FIELDS.src_host, SHIPPED_ENTITY_FIELDS.dst_host] });
    reportMonitors(opts, monitors);
    const caught = await reportRedTeam(client, opts, range, monitors);
    if (installed.dashboardsFile) {
      say(`\ndashboards: the content pack's saved objects (index patterns ${DEMO_INDEX} and seqsentry-entities, searches, visualizations, the seqsentry-overview dashboard) for import into OpenSearch Dashboards 2.x:`);
      say(`  ${installed.dashboardsFile}`);
      say(`  ${importCommand(installed.dashboardsFile)}`);
      say(`  (or: seqsentry install --opensearch-url ${url} --index-pattern ${DEMO_INDEX} --dashboards-url http://localhost:5601)`);
    }
    result = { url, sidecarUrl: sidecar.url, aggregate: agg, monitors, caught, ...(installed.dashboardsFile ? { dashboardsFile: installed.dashboardsFile } : {}) };
  } finally {
    await sidecar?.shutdown();
    await client?.close();
    if (local && !opts.keepOpenSearch) stopped = await local.release();
    if (stopped) say('stopped the local OpenSearch node this demo started');
  }
  return { ...result, stopped };
}

/**
 * Deletes the notables aggregated from the demo index (a previous run's), by id: the local node has no
 * _delete_by_query (the reindex module is not in the Maven Central distribution).
 */
export async function deleteDemoNotables(client: OpenSearchClient): Promise<number> {
  let deleted = 0;
  for (;;) {
    const res = await rawRequest(client, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 5000, _source: false, query: { term: { 'top_events.index': DEMO_INDEX } } }, { accept: [404] });
    if (res.status === 404) return deleted;
    const ids = z.object({ hits: z.object({ hits: z.array(z.object({ _id: z.string() })) }) }).parse(res.body).hits.hits.map((h) => h._id);
    if (ids.length === 0) return deleted;
    const bulk = ids.map((id) => JSON.stringify({ delete: { _index: ENTITIES_INDEX, _id: id } })).join('\n') + '\n';
    await rawRequest(client, 'POST', '/_bulk', bulk, { querystring: { refresh: 'true' } });
    deleted += ids.length;
  }
}

/** Events in the test CSV and the whole days they span (LANL time is the first column, in seconds). */
async function testVolume(file: string): Promise<{ events: number; days: number }> {
  let events = 0;
  let first = Infinity;
  let last = -Infinity;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() === '' || line.startsWith('time,')) continue;
    const t = Number(line.slice(0, line.indexOf(',')));
    if (Number.isFinite(t)) [first, last] = [Math.min(first, t), Math.max(last, t)];
    events += 1;
  }
  return { events, days: Math.max(1, Math.ceil((last - first) / 86_400)) };
}
