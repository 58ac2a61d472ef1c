// Analysts' suppressions, kept in `.seqsentry-state` (`suppression:<id>`): an entity, optionally one field value of
// it, optionally an expiry. `seqsentry aggregate` applies the active ones: a suppressed window is never notable and
// says which suppression held it back.
import { createHash } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { STATE_INDEX, stateIndexBody } from '../enrich/checkpoints.js';
import { call, ensureIndex } from '../enrich/os-call.js';
import type { BackoffPolicy } from '../enrich/retry.js';

export interface Suppression {
  id: string;
  entity_kind: string;
  entity_value: string;
  /** With `value`: only windows whose top anomalous events are all explained by this field value. */
  field?: string;
  value?: string;
  reason?: string;
  created_at: string;
  expires_at?: string;
}

const SuppressionSchema = z.object({
  type: z.literal('suppression'),
  entity_kind: z.string(),
  entity_value: z.string(),
  field: z.string().optional(),
  value: z.string().optional(),
  reason: z.string().optional(),
  created_at: z.string(),
  expires_at: z.string().optional(),
});

/** The same entity, field and value always make the same suppression (adding it twice keeps one). */
export function suppressionId(s: Pick<Suppression, 'entity_kind' | 'entity_value' | 'field' | 'value'>): string {
  return createHash('sha256').update([s.entity_kind, s.entity_value, s.field ?? '', s.value ?? ''].join('\u0000')).digest('base64url').slice(0, 22);
}

export class SuppressionStore {
  constructor(private readonly client: Client, private readonly backoff: BackoffPolicy) {}

  /** Creates `.seqsentry-state`, or adds the fields this version's mapping has to an older one (new fields only). */
  async ensureIndex(): Promise<void> {
    await ensureIndex(this.client, this.backoff, STATE_INDEX, 'state index', stateIndexBody(), true);
  }

  async add(s: Omit<Suppression, 'id' | 'created_at'>, now = new Date()): Promise<Suppression> {
    await this.ensureIndex();
    const doc: Suppression = { ...s, id: suppressionId(s), created_at: now.toISOString() };
    const { id, ...source } = doc;
    await call(this.client, { operation: 'write suppression', method: 'PUT', path: `/${STATE_INDEX}/_doc/${encodeURIComponent(`suppression:${id}`)}`, querystring: { refresh: 'true' }, body: { type: 'suppression', ...source }, index: STATE_INDEX }, this.backoff);
    return doc;
  }

  /** Removes one; false when there was none with this id. */
  async remove(id: string): Promise<boolean> {
    const res = await call(this.client, { operation: 'remove suppression', method: 'DELETE', path: `/${STATE_INDEX}/_doc/${encodeURIComponent(`suppression:${id}`)}`, querystring: { refresh: 'true' }, ignore: [404], index: STATE_INDEX }, this.backoff);
    return res.status !== 404 && (res.body as { result?: string })?.result === 'deleted';
  }

  /** Every suppression, or only those not expired at `now`. */
  async list(activeAt?: Date): Promise<Suppression[]> {
    const res = await call(this.client, {
      operation: 'read suppressions', method: 'POST', path: `/${STATE_INDEX}/_search`, ignore: [404], index: STATE_INDEX,
      body: { size: 10_000, query: { term: { type: 'suppression' } }, sort: [{ created_at: { order: 'asc', unmapped_type: 'date' } }] },
    }, this.backoff);
    if (res.status === 404) return [];
    const out: Suppression[] = [];
    for (const h of (res.body as { hits: { hits: { _id: string; _source: unknown }[] } }).hits.hits) {
      const parsed = SuppressionSchema.safeParse(h._source);
      if (!parsed.success) continue; // not written by this version: left alone
      const { type: _type, ...s } = parsed.data;
      if (activeAt && s.expires_at !== undefined && Date.parse(s.expires_at) <= activeAt.getTime()) continue;
      out.push({ id: h._id.replace(/^suppression:/, ''), ...s });
    }
    return out;
  }
}

/**
 * The suppression that holds back a window of `kind`/`value` whose top anomalous events lead with these field
 * values, or undefined. A field suppression holds only when every top event is explained by that field value.
 */
export function suppressing(suppressions: readonly Suppression[], kind: string, value: string, leading: readonly { field: string; value: string }[]): Suppression | undefined {
  return suppressions.find((s) => s.entity_kind === kind && s.entity_value === value
    && (s.field === undefined || (leading.length > 0 && leading.every((l) => l.field === s.field && (s.value === undefined || l.value === s.value)))));
}
