// Enrich checkpoints in `.seqsentry-state` (`checkpoint:<job>:<slice_id>`, docs/contracts.md): where a slice's
// walk stands, written after every successful bulk, read back on start so a killed run resumes there.
import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchError, UsageError } from '../core/errors.js';
import { loadContent } from '../install/content.js';
import { call, ensureIndex } from './os-call.js';
import type { SortValues } from './query.js';
import type { BackoffPolicy } from './retry.js';

export const STATE_INDEX = '.seqsentry-state';
/** The content pack's mapping of `.seqsentry-state`, the one copy (install writes the same file). */
export const STATE_INDEX_FILE = 'pipelines/state/seqsentry-state.json';

const CheckpointSchema = z.object({
  type: z.literal('checkpoint'),
  job: z.string(),
  index_pattern: z.string(),
  slice_id: z.number().int(),
  slice_max: z.number().int(),
  since: z.string(),
  search_after: z.string(),
  scored: z.number().int(),
  status: z.enum(['running', 'done']),
  updated_at: z.string(),
});
export type CheckpointDoc = z.infer<typeof CheckpointSchema>;

const GetSchema = z.object({ found: z.boolean(), _seq_no: z.number().optional(), _primary_term: z.number().optional(), _source: z.unknown().optional() });

export interface Checkpoint {
  searchAfter: SortValues | null;
  scored: number;
  status: 'running' | 'done';
}

export function checkpointId(job: string, sliceId: number): string {
  return `checkpoint:${job}:${sliceId}`;
}

/** The `.seqsentry-state` index body from the content pack (its settings and strict mapping). */
export function stateIndexBody(): { settings?: unknown; mappings: unknown } {
  const json = loadContent(STATE_INDEX_FILE);
  if (!json.mappings) throw new OpenSearchError('create state index', `${STATE_INDEX_FILE} has no "mappings"`, undefined, STATE_INDEX);
  return { ...(json.settings ? { settings: json.settings } : {}), mappings: json.mappings };
}

export class CheckpointStore {
  // Optimistic lock on each slice's checkpoint: a second process running the same slice fails fast.
  private readonly versions = new Map<string, { seqNo: number; primaryTerm: number }>();

  constructor(private readonly client: Client, private readonly backoff: BackoffPolicy) {}

  /** Creates `.seqsentry-state` when missing, from the content pack's mapping file. */
  async ensureIndex(): Promise<void> {
    await ensureIndex(this.client, this.backoff, STATE_INDEX, 'state index', stateIndexBody());
  }

  /** The slice's checkpoint, or null; refuses one written for another pattern or slice count. */
  async read(job: string, sliceId: number, expect: { pattern: string; sliceMax: number }): Promise<Checkpoint | null> {
    const id = checkpointId(job, sliceId);
    const res = await call(this.client, { operation: 'read checkpoint', method: 'GET', path: `/${STATE_INDEX}/_doc/${encodeURIComponent(id)}`, ignore: [404], index: STATE_INDEX }, this.backoff);
    const got = GetSchema.safeParse(res.body);
    if (!got.success || !got.data.found) return null;
    const doc = CheckpointSchema.safeParse(got.data._source);
    if (!doc.success) throw new OpenSearchError('read checkpoint', `${id} is not a checkpoint document: ${doc.error.issues[0]?.message}`, res.status, STATE_INDEX);
    if (got.data._seq_no !== undefined && got.data._primary_term !== undefined) this.versions.set(id, { seqNo: got.data._seq_no, primaryTerm: got.data._primary_term });
    const d = doc.data;
    if (d.index_pattern !== expect.pattern || d.slice_max !== expect.sliceMax) {
      throw new UsageError(`job "${job}" was started on ${d.index_pattern} with ${d.slice_max} slice(s); this run asks for ${expect.pattern} with ${expect.sliceMax}. Use another --job name`);
    }
    let searchAfter: SortValues | null = null;
    try {
      searchAfter = d.search_after === '' ? null : (JSON.parse(d.search_after) as SortValues);
    } catch {
      throw new OpenSearchError('read checkpoint', `${id}: search_after is not JSON`, res.status, STATE_INDEX);
    }
    return { searchAfter, scored: d.scored, status: d.status };
  }

  /** Writes the slice's checkpoint; a concurrent writer of the same slice makes this fail (409). */
  async write(job: string, sliceId: number, doc: Omit<CheckpointDoc, 'type' | 'job' | 'slice_id' | 'updated_at'>): Promise<void> {
    const id = checkpointId(job, sliceId);
    const version = this.versions.get(id);
    const querystring: Record<string, string | number> = version ? { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } : { op_type: 'create' };
    const body: CheckpointDoc = { type: 'checkpoint', job, slice_id: sliceId, updated_at: new Date().toISOString(), ...doc };
    try {
      const res = await call(this.client, { operation: 'write checkpoint', method: 'PUT', path: `/${STATE_INDEX}/_doc/${encodeURIComponent(id)}`, querystring, body, index: STATE_INDEX }, this.backoff);
      const ack = z.object({ _seq_no: z.number(), _primary_term: z.number() }).safeParse(res.body);
      if (ack.success) this.versions.set(id, { seqNo: ack.data._seq_no, primaryTerm: ack.data._primary_term });
    } catch (err) {
      if (err instanceof OpenSearchError && err.status === 409) {
        throw new OpenSearchError('write checkpoint', `${id} was changed by another process: is slice ${sliceId} of job "${job}" running twice?`, 409, STATE_INDEX, { cause: err });
      }
      throw err;
    }
  }
}
