// History refill for the streaming paths: an entity this process has not seen gets its latest stored events loaded
// before its first event is scored, so that a restart or a second sidecar scores it as an uninterrupted run would.
import type { CanonicalEvent } from '../core/event.js';
import { compareEvents } from '../scorer/order.js';
import type { Scorer } from '../scorer/scorer.js';

/** The pause before each retry of one entity's history load (ms): three attempts in all. */
export const REFILL_RETRY_DELAYS_MS = [50, 250];

/**
 * Loads an entity's latest `limit` events before `until` (seconds) and those at `until`, oldest first: a cold-start
 * refill. Those at `until` itself may or may not come before the event being scored (canonical order): the caller
 * sorts that out.
 */
export type HistoryLoader = (scope: string, entityValue: string, until: number, limit: number) => Promise<CanonicalEvent[]>;

/**
 * For entities this process has not seen, loads their latest events from the store first: each entity on its
 * own, retried; returns the history keys whose load still failed, with the reason. One entity's failure never
 * fails another's.
 */
export async function refillHistory(scorer: Scorer, loader: HistoryLoader | undefined, events: readonly CanonicalEvent[], scopes: readonly string[]): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (!loader || scorer.historyLength === 0) return failed;
  // Per cold entity, its first event in canonical order: the refill is what came before that one.
  const misses = new Map<string, { scope: string; entity: string; time: number; row: Int32Array }>();
  events.forEach((event, i) => {
    const key = scorer.historyKey(event, scopes[i]);
    if (scorer.history.has(key)) return;
    const row = scorer.encode(event);
    const first = misses.get(key);
    if (!first || compareEvents(event.time, row, first.time, first.row) < 0) {
      misses.set(key, { scope: scopes[i] ?? '', entity: event.entities[scorer.bundle.entity_key] ?? '?', time: event.time, row });
    }
  });
  type Miss = NonNullable<ReturnType<typeof misses.get>>;
  const load = async (m: Miss): Promise<CanonicalEvent[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await loader(m.scope, m.entity, m.time, scorer.historyLength);
      } catch (err) {
        const delay = REFILL_RETRY_DELAYS_MS[attempt];
        if (delay === undefined) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const cold = [...misses];
  const outcomes = await Promise.allSettled(cold.map(([, m]) => load(m)));
  outcomes.forEach((o, i) => {
    const [key, m] = cold[i] as [string, Miss];
    if (o.status === 'rejected') {
      failed.set(key, (o.reason as Error)?.message ?? String(o.reason));
      return;
    }
    if (scorer.history.has(key)) return;
    const rows: Int32Array[] = [];
    const times: number[] = [];
    for (const e of o.value) {
      let row: Int32Array;
      try {
        row = scorer.encode(e);
      } catch {
        continue; // a stored document of another shape: not this model's history
      }
      // Strictly before: the first event itself (enrich finds it stored) and its equals are not its own past.
      if (compareEvents(e.time, row, m.time, m.row) >= 0) continue;
      rows.push(row);
      times.push(e.time);
    }
    scorer.history.set(key, rows, times);
  });
  return failed;
}
