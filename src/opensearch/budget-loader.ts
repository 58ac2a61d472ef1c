// Refills a restarted sidecar's or enrich's daily alert budget from the events scored before, as OpenSearch holds them:
// per hour of event time over the 24 hours up to the newest scored event, the events by stored anomaly_score and how
// many were flagged (anomaly.is_anomaly). Without it a restart empties the window and the budget warms up again.
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import { BUDGET_AHEAD_SECONDS, BUDGET_SLOTS, clockSeconds, SLOT_SECONDS, type BudgetHour, type DailyBudget } from '../scorer/daily-budget.js';
import { logger } from '../util/log.js';
import { rawRequest, type OpenSearchClient } from './client.js';
import type { HistoryFields } from './history-loader.js';

const log = logger.child({ component: 'budget' });

/** Buckets of anomaly_score per hour at most: 24 hours of them stay well inside search.max_buckets (65,535). */
const SCORE_BUCKETS = 1_000;

const MaxBody = z.object({ aggregations: z.object({ newest: z.object({ value: z.number().nullable() }) }) });
const HoursBody = z.object({
  aggregations: z.object({
    hours: z.object({
      buckets: z.array(z.object({
        key: z.number(),
        doc_count: z.number(),
        flagged: z.object({ doc_count: z.number() }),
        high: z.object({ doc_count: z.number(), scores: z.object({ buckets: z.array(z.object({ key: z.number(), doc_count: z.number() })) }) }),
      })),
    }),
  }),
});

/**
 * The hours of the window in `pattern`, for a scorer whose threshold is `threshold`. Scores at or above the threshold
 * are binned at the stored resolution (steps of at least 1e-5: the rarity key of a step's lower edge, a little low);
 * the rest count at rarity 0, since no candidate is ever judged against their place below it. The newest scored
 * event's time ends the window (event time, not the clock: a backfill refills as a live stream does), leaving out events
 * stamped more than BUDGET_AHEAD_SECONDS past the clock (`nowSeconds`), which a live budget never counted.
 */
export async function loadBudgetWindow(client: OpenSearchClient, pattern: string, fields: HistoryFields, threshold: number, nowSeconds = clockSeconds()): Promise<BudgetHour[]> {
  const date = fields.timeType === 'date';
  // Events stamped further ahead of the clock than a live budget counts (BUDGET_AHEAD_SECONDS) never end the window.
  const latest = (nowSeconds + BUDGET_AHEAD_SECONDS) * (date ? 1000 : 1);
  const scored = { bool: { filter: [{ exists: { field: 'anomaly_score' } }, { range: { [fields.time]: { lte: latest } } }] } };
  const search = async (body: unknown) => {
    const res = await rawRequest(client, 'POST', `/${encodeURIComponent(pattern)}/_search`, body, { querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' } });
    if (res.status >= 300) throw new OpenSearchError('daily budget refill', JSON.stringify(res.body).slice(0, 300), res.status, pattern);
    return res.body;
  };
  const first = (await search({ size: 0, query: { bool: { filter: [scored] } }, aggs: { newest: { max: { field: fields.time } } } })) as { aggregations?: unknown } | undefined;
  // No index matches the pattern yet (a fresh deployment): OpenSearch leaves the aggregations out
  if (first && typeof first === 'object' && first.aggregations === undefined) return [];
  const max = MaxBody.safeParse(first);
  if (!max.success) throw new OpenSearchError('daily budget refill', `unexpected response: ${max.error.issues[0]?.message ?? ''}`, undefined, pattern);
  const newest = max.data.aggregations.newest.value;
  if (newest === null) return [];
  const unit = date ? SLOT_SECONDS * 1000 : SLOT_SECONDS; // the time field's units per hour
  const from = (Math.floor(newest / unit) - (BUDGET_SLOTS - 1)) * unit;
  const step = Math.max(1e-5, (1 - threshold) / SCORE_BUCKETS);
  const hoursAgg = date ? { date_histogram: { field: fields.time, fixed_interval: '1h', min_doc_count: 1 } } : { histogram: { field: fields.time, interval: SLOT_SECONDS, min_doc_count: 1 } };
  const parsed = HoursBody.safeParse(await search({
    size: 0,
    query: { bool: { filter: [scored, { range: { [fields.time]: { gte: from, lte: newest } } }] } },
    aggs: {
      hours: {
        ...hoursAgg,
        aggs: {
          flagged: { filter: { term: { 'anomaly.is_anomaly': true } } },
          high: { filter: { range: { anomaly_score: { gte: threshold } } }, aggs: { scores: { histogram: { field: 'anomaly_score', interval: step, min_doc_count: 1 } } } },
        },
      },
    },
  }));
  if (!parsed.success) throw new OpenSearchError('daily budget refill', `unexpected response: ${parsed.error.issues[0]?.message ?? ''}`, undefined, pattern);
  return parsed.data.aggregations.hours.buckets.map((b) => {
    const rarity = (score: number) => (score >= 1 ? Number.POSITIVE_INFINITY : -Math.log1p(-score));
    const counts: [number, number][] = b.high.scores.buckets.map((s) => [rarity(s.key), s.doc_count]);
    if (b.doc_count > b.high.doc_count) counts.push([0, b.doc_count - b.high.doc_count]);
    return { hour: Math.floor(b.key / unit), counts, flagged: b.flagged.doc_count };
  });
}

/**
 * Before a scorer scores anything: its daily alert budget (if it has one) refilled from the events scored before in
 * `pattern`. A failed refill is logged and leaves the window empty: the budget then warms up, scoring goes on.
 */
export async function refillBudget(client: OpenSearchClient, pattern: string, scorer: { budget: DailyBudget | null; threshold: number }, fields: HistoryFields): Promise<void> {
  if (!scorer.budget) return;
  try {
    scorer.budget.restore(await loadBudgetWindow(client, pattern, fields, scorer.threshold));
    log.info({ pattern, ...scorer.budget.window() }, 'daily alert budget refilled from the scored events');
  } catch (err) {
    log.warn({ err, pattern }, 'daily alert budget refill failed: starting with an empty window');
  }
}
