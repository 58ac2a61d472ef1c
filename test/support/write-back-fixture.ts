// Write-back test helpers: an index of hand-made events, read back as enrich reads a page (each hit's _source with its
// _seq_no/_primary_term), written with the AnomalyWriter either way (whole documents or partial updates), and the
// stored documents as OpenSearch holds them (parsed, and as raw text for numbers JavaScript cannot hold).
import { AnomalyWriter, type ScoredUpdate, type WriteOutcome, type WriterOptions } from '../../src/enrich/anomaly-writer.js';
import { createOpenSearchClient } from '../../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../../src/opensearch/config.js';
import type { AnomalyFields } from '../../src/service/anomaly-fields.js';
import { os } from './os-helpers.js';

/** Creates `index` from `body` and stores `docs` under their keys as ids, refreshed. */
export async function createEvents(url: string, index: string, body: Record<string, unknown>, docs: Record<string, unknown>, query = ''): Promise<void> {
  await os(url, 'DELETE', `/${index}?ignore_unavailable=true`);
  const created = await os(url, 'PUT', `/${index}`, body);
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  const lines = Object.entries(docs).flatMap(([id, doc]) => [JSON.stringify({ index: { _index: index, _id: id } }), typeof doc === 'string' ? doc : JSON.stringify(doc)]);
  const res = await os(url, 'POST', `/_bulk?refresh=true${query}`, lines.join('\n') + '\n');
  if (res.json?.errors !== false) throw new Error(`bulk into ${index}: ${JSON.stringify(res.json)}`);
}

/** Every event of `index` as the enricher holds it after a page search: source, seq_no and primary term. */
export async function readAsEnrich(url: string, index: string): Promise<Array<{ id: string; seqNo: number; primaryTerm: number; source: Record<string, unknown> }>> {
  const res = await os(url, 'POST', `/${index}/_search`, { size: 1000, seq_no_primary_term: true, sort: [{ _id: 'asc' }] });
  if (res.status !== 200) throw new Error(`search ${index}: ${JSON.stringify(res.json)}`);
  return res.json.hits.hits.map((h: any) => ({ id: h._id, seqNo: h._seq_no, primaryTerm: h._primary_term, source: h._source }));
}

/** The anomaly fields of a score, as the scoring service gives them (a fixed scored_at: the two paths compare equal). */
export function fieldsFor(i: number): AnomalyFields {
  return {
    anomaly_score: (i + 1) / 10,
    anomaly: { raw: 2.5 + i, model: { name: 'm', version: '1', kind: 'transformer-mlm' }, fields: [{ name: 'user' }], is_anomaly: false, scored_at: '2026-12-06T00:00:00.000Z' },
  } as AnomalyFields;
}

/** The read hits as the enricher hands them to the writer: each with its source and the fields of fieldsFor(its place). */
export function asUpdates(index: string, hits: Awaited<ReturnType<typeof readAsEnrich>>): ScoredUpdate[] {
  return hits.map((h, i) => ({ index, id: h.id, seqNo: h.seqNo, primaryTerm: h.primaryTerm, source: h.source, fields: fieldsFor(i) }));
}

/**
 * Writes `updates` with a writer that writes whole documents where it may, or partial updates only; `bulks` counts
 * the bulk requests it sent.
 */
export async function writeBack(url: string, updates: ScoredUpdate[], wholeDocuments: boolean, options: Partial<WriterOptions> = {}, bulks = { count: 0 }): Promise<WriteOutcome> {
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  client.on('request', (_err, event) => {
    if (event?.meta?.request?.params?.path === '/_bulk') bulks.count += 1;
  });
  try {
    return await new AnomalyWriter(client, { backoff: { baseMs: 20, capMs: 200, attempts: 4 }, wholeDocuments, ...options }).write(updates);
  } finally {
    await client.close();
  }
}

/** The stored documents of `index` by id: parsed, and the raw text of the GET answer. */
export async function storedDocs(url: string, index: string, ids: string[]): Promise<Map<string, { source: any; version: number; text: string }>> {
  const out = new Map<string, { source: any; version: number; text: string }>();
  for (const id of ids) {
    const res = await fetch(`${url}/${index}/_doc/${encodeURIComponent(id)}`);
    const text = await res.text();
    const json = JSON.parse(text);
    out.set(id, { source: json._source, version: json._version, text });
  }
  return out;
}
