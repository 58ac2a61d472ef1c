// The unscored events enrich's walk cannot reach: its window and order are a range and a sort on the time field, so
// an event without that field (dated only by event.created) or in an index that maps it as anything but a date (a
// keyword @timestamp) is never read. Counted, so the summary and the log say how many and why instead of leaving
// them unscored in silence.
import type { Client } from '@opensearch-project/opensearch';
import { call } from './os-call.js';
import type { BackoffPolicy } from './retry.js';

const DATE_TYPES = new Set(['date', 'date_nanos']);

export interface UnseenEvents {
  /** (Unscored) events whose document has no time field. */
  withoutTime: number;
  /** (Unscored) events of indices mapping the time field as another type than a date. */
  notDate: number;
  /** Those indices, with the type they map (the first five). */
  indices: { index: string; type: string }[];
}

/** Neither scored nor marked unreadable. */
const UNSCORED = [{ exists: { field: 'anomaly_score' } }, { exists: { field: 'anomaly.error' } }];

/**
 * The indices of `pattern` that map `timeField` as another type than a date (a keyword @timestamp): the walk leaves
 * them out of its point in time, since its sort on the time field fails on their shards.
 */
export async function nonDateIndices(client: Client, pattern: string, timeField: string, backoff: BackoffPolicy): Promise<{ index: string; type: string }[]> {
  const caps = await call(client, { operation: 'field capabilities', method: 'GET', path: `/${encodeURIComponent(pattern)}/_field_caps`, querystring: { fields: timeField, ignore_unavailable: true, allow_no_indices: true }, index: pattern, ignore: [404] }, backoff);
  const body = caps.body as { indices?: string[]; fields?: Record<string, Record<string, { indices?: string[] }>> };
  const out: { index: string; type: string }[] = [];
  // A type held by every index that maps the field names no indices of its own.
  for (const [type, cap] of Object.entries(body.fields?.[timeField] ?? {})) if (!DATE_TYPES.has(type)) for (const index of cap.indices ?? body.indices ?? []) out.push({ index, type });
  return out;
}

/**
 * Counts the unscored events of `pattern` (with `all`, every event) the time-ordered walk over `timeField` leaves out,
 * whatever their age: those without the field, and those of `nonDate` (`nonDateIndices`) that hold it.
 */
export async function countUnseen(client: Client, pattern: string, timeField: string, nonDate: readonly { index: string; type: string }[], backoff: BackoffPolicy, all = false): Promise<UnseenEvents> {
  const excluded = all ? [] : UNSCORED;
  const count = async (query: Record<string, unknown>, target: string): Promise<number> => {
    const res = await call(client, { operation: 'count events enrich cannot see', method: 'POST', path: `/${target}/_count`, querystring: { ignore_unavailable: true, allow_no_indices: true }, body: { query }, index: pattern, ignore: [404] }, backoff);
    return res.status === 404 ? 0 : Number((res.body as { count?: number }).count ?? 0);
  };
  const withoutTime = await count({ bool: { must_not: [{ exists: { field: timeField } }, ...excluded] } }, encodeURIComponent(pattern));
  let notDate = 0;
  // A long list goes in chunks so the path stays short.
  for (let i = 0; i < nonDate.length; i += 50) {
    const names = nonDate.slice(i, i + 50).map((x) => encodeURIComponent(x.index)).join(',');
    notDate += await count({ bool: { filter: [{ exists: { field: timeField } }], must_not: excluded } }, names);
  }
  return { withoutTime, notDate, indices: nonDate.slice(0, 5) };
}
