// `seqsentry aggregate`: entity notables from scored events (src/aggregate/). Wiring only: options,
// the entity fields the index has, the client, the summary.
import { createAdapter } from '../adapters/registry.js';
import { UsageError } from '../core/errors.js';
import { durationMs } from '../aggregate/duration.js';
import { AGGREGATE_DEFAULTS, ENTITIES_INDEX } from '../aggregate/aggregate-options.js';
import { aggregateOnce } from '../aggregate/run.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { loadBundle } from '../model/bundle.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig } from '../opensearch/config.js';
import { intOption, parseOptions, required, type Command } from './command.js';

const USAGE = 'seqsentry aggregate --index PATTERN (--model-dir DIR | --format ecs|lanl) [--since 24h] [--until now] [--window 15m] [--half-life 6h] [--notable-windows 2] [--stretch 2h] [--all-windows] [--entities kind=field,...]';
const SUMMARY =
  `Writes one document per entity (user, source host, destination host) and window with anomalous events (every window with --all-windows) into ${ENTITIES_INDEX}: events, anomalous ` +
  'events, max and mean score, the top anomalous events and the fields that explain them, a risk score that decays with a half-life, ' +
  'and whether the window is notable (anomalous in several windows within a stretch). Idempotent: a rerun writes only what changed.';
const SPECS = {
  index: { type: 'string', help: 'PATTERN  index pattern of the scored events, e.g. logs-auth-*' },
  'model-dir': { type: 'string', short: 'm', help: 'DIR  the bundle that scored them: its format says where the entities are' },
  format: { type: 'string', help: 'NAME  the events\' format when no --model-dir is given (ecs, lanl)' },
  since: { type: 'string', default: '24h', help: 'WHEN  range start: a duration back from now (24h, 7d) or an ISO date' },
  until: { type: 'string', help: 'WHEN  range end (exclusive): a duration back from now or an ISO date; default now' },
  window: { type: 'string', default: AGGREGATE_DEFAULTS.window, help: 'DURATION  window length' },
  'half-life': { type: 'string', default: AGGREGATE_DEFAULTS.halfLife, help: 'DURATION  the risk score halves over this much time without anomalies' },
  'notable-windows': { type: 'string', default: String(AGGREGATE_DEFAULTS.notableWindows), help: 'N  anomalous windows within --stretch that make a window notable' },
  stretch: { type: 'string', default: AGGREGATE_DEFAULTS.stretch, help: 'DURATION  the stretch of time --notable-windows counts in' },
  'all-windows': { type: 'boolean', default: false, help: 'write every window with events, not only those with anomalous events (about one document per event)' },
  entities: { type: 'string', help: 'KIND=FIELD,...  the entity fields; a kind named again adds a field, an event\'s entity being the first it holds (default: the format\'s paths that the index maps and the events hold)' },
  'opensearch-url': { type: 'string', help: 'URL  OpenSearch (default: OPENSEARCH_URL, else http://127.0.0.1:9200)' },
} as const;

/** A duration back from `now`, or an ISO date, in epoch ms. */
export function instantMs(text: string, option: string, now: number): number {
  if (/^\d+(ms|s|m|h|d|w)$/.test(text.trim())) return now - durationMs(text, option);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--${option} "${text}": expected a duration like 24h or an ISO date`);
  return t;
}

/** KIND=FIELD pairs; a kind named again adds a field after its first (an event's entity is the first it holds). */
function parseEntities(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of text.split(',')) {
    const [kind, field, ...rest] = part.split('=').map((p) => p.trim());
    if (!kind || !field || rest.length) throw new UsageError(`--entities "${text}": expected KIND=FIELD pairs separated by commas`);
    (out[kind] ??= []).push(field);
  }
  return out;
}

const command: Command = {
  name: 'aggregate',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    if (parsed.positionals.length) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    const pattern = required(v.index, 'index');
    let format = v.format;
    let entityKey: string | undefined;
    let adapterOptions: Record<string, unknown> | undefined;
    if (v['model-dir'] !== undefined) {
      const { bundle } = await loadBundle(v['model-dir']);
      format = bundle.format;
      entityKey = bundle.entity_key;
      adapterOptions = bundle.adapter_options;
    }
    if (!format) throw new UsageError('give --model-dir (the bundle that scored the events) or --format');
    const adapter = createAdapter(format, adapterOptions);
    const now = Date.now();
    const sinceMs = instantMs(v.since ?? '24h', 'since', now);
    const untilMs = v.until !== undefined ? instantMs(v.until, 'until', now) : now;
    if (untilMs <= sinceMs) throw new UsageError(`--until must be later than --since`);
    const notableWindows = intOption(v['notable-windows'], 'notable-windows', AGGREGATE_DEFAULTS.notableWindows);
    if (notableWindows < 1) throw new UsageError('--notable-windows must be at least 1');
    const client = createOpenSearchClient(openSearchConfig(v['opensearch-url']));
    try {
      const t0 = performance.now();
      const { stats: s, entities, suppressions } = await aggregateOnce(client, {
        pattern, adapter, ...(entityKey ? { entityKey } : {}), sinceMs, untilMs, ...(v.entities !== undefined ? { entities: parseEntities(v.entities) } : {}),
        windowMs: durationMs(v.window ?? AGGREGATE_DEFAULTS.window, 'window'), halfLifeMs: durationMs(v['half-life'] ?? AGGREGATE_DEFAULTS.halfLife, 'half-life'),
        notableWindows, stretchMs: durationMs(v.stretch ?? AGGREGATE_DEFAULTS.stretch, 'stretch'), allWindows: Boolean(v['all-windows']), backoff: DEFAULT_BACKOFF,
      });
      const seconds = (performance.now() - t0) / 1000;
      process.stdout.write(`aggregated ${s.events} events into ${s.windows} entity windows (${Object.entries(entities).map(([k, f]) => `${k}=${f.join('|')}`).join(', ')}): ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.notable} notable${suppressions ? ` (${suppressions} suppression(s) active)` : ''}, in ${seconds.toFixed(1)} s (counting ${s.seconds.count} s, top events ${s.seconds.top} s, comparing ${s.seconds.compare} s, writing ${s.seconds.write} s)\n`);
      return 0;
    } finally {
      await client.close();
    }
  },
};

export default command;
