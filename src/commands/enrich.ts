// `seqsentry enrich`: score unscored events already in OpenSearch and write the anomaly fields back. Wiring only:
// options → model, client, ScoringService → Enricher; progress, signals and the final summary.
import { DEFAULT_NOTABLE_SETTINGS } from '../aggregate/run.js';
import { startAggregateSchedule } from '../aggregate/schedule.js';
import { SeqSentryError, UsageError } from '../core/errors.js';
import { DEFAULT_WRITE_BACK, Enricher, WRITE_BACKS, type EnrichStats, type WriteBack } from '../enrich/enricher.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { createEnrichScoring } from '../enrich/scoring.js';
import { DEFAULT_LINGER_SECONDS } from '../adapters/zeek-join.js';
import { createAdapter } from '../adapters/registry.js';
import { FEATURIZERS } from '../kinds/featurizers.js';
import type { ConnectionEnrichStats } from '../kinds/zeek-seq/connection-enrich.js';
import { loadBundle } from '../model/bundle.js';
import { MODEL_KINDS } from '../model/kinds.js';
import type { Client } from '@opensearch-project/opensearch';
import { createOpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig } from '../opensearch/config.js';
import { DEFAULT_EXPLAIN_ABOVE } from '../service/anomaly-fields.js';
import { logger } from '../util/log.js';
import { progress } from '../util/progress.js';
import { durationMs } from '../aggregate/duration.js';
import { budgetOption, intOption, parseOptions, required, scoreOption, type Command } from './command.js';
import { ONNX_THREADS_OPTION, onnxThreadsOption } from './options.js';

const USAGE = 'seqsentry enrich --index PATTERN --model-dir DIR [--since 24h] [--follow] [--slices N] [--slice-id I] [--job NAME] [--batch-size N]';
const SUMMARY =
  'Finds events without anomaly_score in the window (point in time + search_after), scores them with the model and writes ' +
  'anomaly_score and anomaly.* back in bulk (each event whole, or partial updates); checkpoints in .seqsentry-state let a restart resume.';
const SPECS = {
  index: { type: 'string', help: 'PATTERN  index pattern of the events, e.g. logs-auth-*' },
  'model-dir': { type: 'string', short: 'm', help: 'DIR  model bundle (bundle.json + model.onnx)' },
  since: { type: 'string', default: '24h', help: 'WHEN  window start: a duration (24h, 7d), date math or an ISO date' },
  follow: { type: 'boolean', default: false, help: 'after catching up, keep polling for new events until SIGINT/SIGTERM' },
  slices: { type: 'string', default: '1', help: 'N  split the work by entity into N slices' },
  'slice-id': { type: 'string', help: 'I  run only slice I (0-based; other processes run the others); default: all N here' },
  job: { type: 'string', help: 'NAME  checkpoint name (default: derived from --index)' },
  'batch-size': { type: 'string', default: '1024', help: 'N  events per ONNX call' },
  'onnx-threads': ONNX_THREADS_OPTION,
  'explain-above': { type: 'string', default: String(DEFAULT_EXPLAIN_ABOVE), help: 'SCORE  full explanation from this anomaly_score, the top field only below (0: every event in full)' },
  budget: { type: 'string', help: 'R|off  daily alert budget of this process: anomaly.is_anomaly also needs the score among the top R of the last 24 h of event time scored in --index, refilled from it at start (default: the bundle\'s acceptance rate)' },
  'page-size': { type: 'string', default: '5000', help: 'N  events per search page, bulk request and checkpoint' },
  'write-back': { type: 'string', default: DEFAULT_WRITE_BACK, help: `${WRITE_BACKS.join('|')}  index: write each event whole (its read source plus the anomaly fields; indices with a final pipeline or a partial _source keep updates); update: partial updates only` },
  'poll-interval': { type: 'string', default: '5', help: 'SECONDS  wait between polls with --follow' },
  'aggregate-every': { type: 'string', default: '5m', help: 'DURATION  with --follow, aggregate the index into entity notables this often (as seqsentry aggregate does); 0 turns it off' },
  'aggregate-lookback': { type: 'string', default: '2h', help: 'DURATION  how far back each of those passes reads' },
  'join-delay': { type: 'string', default: String(DEFAULT_LINGER_SECONDS), help: 'SECONDS  zeek-seq: a connection is scored once its end is this far behind the newest stored event time (its records written meanwhile join it)' },
  'opensearch-url': { type: 'string', help: 'URL  OpenSearch (default: OPENSEARCH_URL, else http://127.0.0.1:9200)' },
} as const;

/** A job name safe in a document id, stable for the same pattern. */
export function defaultJob(pattern: string): string {
  return `enrich-${pattern.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

/** The summary line of a kind whose units join several records (zeek-seq: connections). */
export function formatUnitSummary(stats: ConnectionEnrichStats, seconds: number): string {
  const extra = [
    stats.held ? `${stats.held} connections held for the join delay` : '',
    stats.late ? `${stats.late} late records marked with their connection's score` : '',
    stats.unreadable ? `${stats.unreadable} unreadable (anomaly.error written)` : '',
    stats.alreadyScored ? `${stats.alreadyScored} already scored elsewhere` : '',
    stats.gone ? `${stats.gone} deleted meanwhile` : '',
    stats.retries ? `${stats.retries} retries` : '',
  ].filter(Boolean);
  const per = (n: number) => (seconds > 0 ? n / seconds : 0).toFixed(0);
  return `enriched ${stats.connections} connections (${stats.scored} records), ${stats.failed} errors${extra.length ? ` (${extra.join(', ')})` : ''} in ${seconds.toFixed(1)} s: ${per(stats.connections)} connections/s, ${per(stats.scored)} records/s`;
}

export function formatSummary(stats: EnrichStats, seconds: number): string {
  const rate = seconds > 0 ? stats.scored / seconds : 0;
  const extra = [
    stats.unreadable ? `${stats.unreadable} unreadable (anomaly.error written)` : '',
    stats.alreadyScored ? `${stats.alreadyScored} already scored elsewhere` : '',
    stats.gone ? `${stats.gone} deleted meanwhile` : '',
    stats.retries ? `${stats.retries} retries` : '',
    stats.unseen ? `${stats.unseen} unscored events it cannot read by time left unscored: see the log` : '',
  ].filter(Boolean);
  return `enriched ${stats.scored} events, ${stats.failed} errors${extra.length ? ` (${extra.join(', ')})` : ''} in ${seconds.toFixed(1)} s: ${rate.toFixed(0)} events/s`;
}

/** Runs `work` with SIGINT/SIGTERM aborting its signal (finish the current bulk and stop); a second signal exits. */
async function runUntilStopped<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal }, 'second signal: exiting without waiting for the current bulk');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping: finishing the current bulk and writing the checkpoint');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

interface UnitArgs {
  modelDir: string;
  pattern: string;
  since: string;
  joinDelay: string;
  batchSize: number;
  pageSize: number;
  explainAbove: number;
  follow: boolean;
  pollMs: number;
  budget: number | null | undefined;
  onnxThreads: number | undefined;
}

/** enrich for a kind whose units join several records (zeek-seq: connections by uid): its featurizer's enricher. */
async function enrichUnits(client: Client, featurized: string, a: UnitArgs): Promise<number> {
  const joinDelaySeconds = Number(a.joinDelay);
  if (a.joinDelay === '' || !(joinDelaySeconds >= 0)) throw new UsageError('--join-delay must be a number of seconds, 0 or more');
  const featurizer = FEATURIZERS[featurized];
  if (!featurizer) throw new SeqSentryError(`no featurizer "${featurized}" in this version`);
  const enricher = featurizer.enricher(client, a.modelDir, {
    pattern: a.pattern, since: a.since, joinDelaySeconds, batchSize: a.batchSize, pageSize: a.pageSize, keepAlive: '5m', backoff: DEFAULT_BACKOFF,
    explainAbove: a.explainAbove, follow: a.follow, pollMs: a.pollMs, ...(a.budget !== undefined ? { budget: a.budget } : {}),
    ...(a.onnxThreads !== undefined ? { onnxThreads: a.onnxThreads } : {}),
  });
  return runUntilStopped(async (signal) => {
    const started = process.hrtime.bigint();
    const stats = await enricher.run(signal);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    logger.info({ ...stats, seconds }, 'enrich finished');
    process.stdout.write(formatUnitSummary(stats, seconds) + '\n');
    return stats.failed > 0 ? 1 : 0;
  });
}

const command: Command = {
  name: 'enrich',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    const pattern = required(v.index, 'index');
    const modelDir = required(v['model-dir'], 'model-dir');
    const sliceMax = intOption(v.slices, 'slices', 1);
    if (sliceMax < 1) throw new UsageError('--slices must be at least 1');
    const sliceId = v['slice-id'] === undefined ? undefined : intOption(v['slice-id'], 'slice-id', 0);
    if (sliceId !== undefined && (sliceId < 0 || sliceId >= sliceMax)) throw new UsageError(`--slice-id must be in 0..${sliceMax - 1}`);
    const batchSize = intOption(v['batch-size'], 'batch-size', 1024);
    const pageSize = intOption(v['page-size'], 'page-size', 5000);
    const onnxThreads = onnxThreadsOption(v['onnx-threads']);
    const pollSeconds = Number(v['poll-interval'] ?? '5');
    if (batchSize < 1 || pageSize < 1 || pageSize > 10_000) throw new UsageError('--batch-size must be positive and --page-size within 1..10000');
    if (!(pollSeconds > 0)) throw new UsageError('--poll-interval must be a positive number of seconds');
    const writeBack = v['write-back'] ?? DEFAULT_WRITE_BACK;
    if (!(WRITE_BACKS as readonly string[]).includes(writeBack)) throw new UsageError(`--write-back "${writeBack}": expected one of ${WRITE_BACKS.join(', ')}`);

    const explainAbove = scoreOption(v['explain-above'], 'explain-above');
    const aggregateEveryMs = v['aggregate-every'] === '0' ? 0 : durationMs(v['aggregate-every'] ?? '5m', 'aggregate-every');
    const aggregateLookbackMs = durationMs(v['aggregate-lookback'] ?? '2h', 'aggregate-lookback');
    const client = createOpenSearchClient(openSearchConfig(v['opensearch-url']));
    const { bundle: unitBundle } = await loadBundle(modelDir);
    const featurized = MODEL_KINDS[unitBundle.kind]?.featurizer ?? null;
    if (featurized !== null) {
      if (sliceMax > 1 || sliceId !== undefined) throw new UsageError('--slices/--slice-id: a kind whose units join several records (zeek-seq) is enriched by one process');
      // Notables read the records' anomaly fields, as for any kind: the same schedule with --follow.
      const notables = v.follow && aggregateEveryMs > 0
        ? startAggregateSchedule(client, { pattern, adapter: createAdapter(unitBundle.format, unitBundle.adapter_options), entityKey: unitBundle.entity_key, ...DEFAULT_NOTABLE_SETTINGS, backoff: DEFAULT_BACKOFF, everyMs: aggregateEveryMs, lookbackMs: aggregateLookbackMs })
        : null;
      try {
        return await enrichUnits(client, featurized, { modelDir, pattern, since: v.since ?? '24h', joinDelay: v['join-delay'] ?? '', batchSize, pageSize, explainAbove: explainAbove ?? DEFAULT_EXPLAIN_ABOVE, follow: v.follow, pollMs: pollSeconds * 1000, budget: budgetOption(v.budget), onnxThreads });
      } finally {
        await notables?.stop();
        await client.close();
      }
    }
    const budget = budgetOption(v.budget);
    // The budget's window starts where the last run's left it: the scored events of the indices it enriches.
    const scoring = await createEnrichScoring(client, modelDir, batchSize, { ...(explainAbove !== undefined ? { explainAbove } : {}), ...(budget !== undefined ? { budget } : {}), ...(onnxThreads !== undefined ? { onnxThreads } : {}), budgetFrom: pattern });

    const bar = progress('enrich');
    const started = process.hrtime.bigint();
    const enricher = new Enricher(
      client,
      scoring.models,
      {
        pattern,
        since: v.since ?? '24h',
        job: v.job ?? defaultJob(pattern),
        sliceMax,
        sliceIds: sliceId === undefined ? Array.from({ length: sliceMax }, (_, i) => i) : [sliceId],
        follow: v.follow,
        pageSize,
        keepAlive: '5m',
        pollMs: pollSeconds * 1000,
        backoff: DEFAULT_BACKOFF,
        writeBack: writeBack as WriteBack,
        // A long-running follow picks up a retrained bundle without a restart; a one-off run keeps its bundle.
        ...(v.follow ? { beforePage: () => scoring.pickUp() } : {}),
      },
      { onProgress: (read, total, s) => bar.update(read, total || undefined, `${s.scored} scored, ${s.failed} errors`) },
    );
    const { bundle } = scoring.scorer;
    const notables = v.follow && aggregateEveryMs > 0
      ? startAggregateSchedule(client, { pattern, adapter: scoring.service.adapter, entityKey: bundle.entity_key, ...DEFAULT_NOTABLE_SETTINGS, backoff: DEFAULT_BACKOFF, everyMs: aggregateEveryMs, lookbackMs: aggregateLookbackMs })
      : null;
    return runUntilStopped(async (signal) => {
      const stats = await enricher.run(signal);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      bar.finish(`${stats.scored} scored`);
      const line = formatSummary(stats, seconds);
      logger.info({ ...stats, seconds, events_per_s: seconds > 0 ? stats.scored / seconds : 0 }, 'enrich finished');
      process.stdout.write(line + '\n');
      return stats.failed > 0 ? 1 : 0;
    }).finally(async () => {
      await notables?.stop();
      await scoring.close();
      await client.close();
    });
  },
};

export default command;
