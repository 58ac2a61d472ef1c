// Entity notables kept current by the long-running processes (`serve`, `enrich --follow`): every `everyMs` one
// aggregation pass over the last `lookbackMs`, so late events still rewrite their window while each pass reads only
// recent events (risk and notability carry on from the notables before the range). One pass at a time; a failed
// pass is logged with its reason and the next one runs on schedule.
import type { Client } from '@opensearch-project/opensearch';
import { logger } from '../util/log.js';
import { aggregateOnce, type AggregationRun } from './run.js';

const log = logger.child({ component: 'aggregate' });

export interface AggregateSchedule extends Omit<AggregationRun, 'sinceMs' | 'untilMs'> {
  everyMs: number;
  /** How far back each pass reads: events that come later than this are not aggregated. */
  lookbackMs: number;
}

export interface ScheduledAggregation {
  /** Passes finished (successful or not). */
  readonly passes: number;
  /** The reason of the last failed pass, if the last pass failed. */
  readonly lastError: string | undefined;
  /** Stops the schedule and waits for a pass under way. */
  stop(): Promise<void>;
}

export function startAggregateSchedule(client: Client, schedule: AggregateSchedule, now: () => number = Date.now): ScheduledAggregation {
  const { everyMs, lookbackMs, ...run } = schedule;
  let passes = 0;
  let lastError: string | undefined;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const pass = async () => {
    const untilMs = now();
    try {
      const { stats } = await aggregateOnce(client, { ...run, sinceMs: untilMs - lookbackMs, untilMs });
      lastError = undefined;
      log.info({ index: run.pattern, events: stats.events, windows: stats.windows, created: stats.created, updated: stats.updated, notable: stats.notable }, 'entity notables updated');
    } catch (err) {
      lastError = (err as Error).message;
      log.warn({ index: run.pattern, reason: lastError }, 'aggregation pass failed; the next one runs on schedule');
    } finally {
      passes += 1;
    }
  };
  const tick = () => {
    if (stopped) return;
    current = pass().then(() => {
      if (!stopped) timer = setTimeout(tick, everyMs);
    });
  };
  tick();
  return {
    get passes() {
      return passes;
    },
    get lastError() {
      return lastError;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
