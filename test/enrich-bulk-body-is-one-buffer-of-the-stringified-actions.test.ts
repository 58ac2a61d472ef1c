// The write-back's bulk body is encoded once into one Buffer (bulk-body.ts): its bytes are exactly the UTF-8 of the
// NDJSON that JSON.stringify gives the action and document objects, for whole documents and partial updates alike,
// whatever characters the events hold (multi-byte letters, surrogate pairs, escapes).
import { describe, expect, it } from 'vitest';
import type { ScoredUpdate } from '../src/enrich/anomaly-writer.js';
import { bulkBody } from '../src/enrich/bulk-body.js';
import { wholeDocument } from '../src/enrich/whole-document.js';
import type { AnomalyFields } from '../src/service/anomaly-fields.js';

const fields = (score: number | undefined, field: string): AnomalyFields =>
  ({ ...(score !== undefined ? { anomaly_score: score } : {}), anomaly: { model: { name: 'm', version: '1' }, field, scored_at: '2026-12-06T00:00:00.000Z' } }) as unknown as AnomalyFields;

const sources: Array<Record<string, unknown>> = [
  { '@timestamp': '2026-12-06T10:00:00Z', user: { name: 'zoë' }, message: 'ascii only' },
  { '@timestamp': '2026-12-06T10:00:01Z', user: { name: '用户' }, message: 'emoji 🔑 and a lone \ud800 surrogate, "quotes"\n and \\ backslashes' },
  { '@timestamp': '2026-12-06T10:00:02Z', user: { name: 'x'.repeat(5000) } },
];

/** The body as objects stringified one line each, the way it read before it was built as text. */
function expected(items: Array<{ u: ScoredUpdate; whole: string | null }>): string {
  return items
    .map(({ u, whole }) => {
      const target = { _index: u.index, _id: u.id, if_seq_no: u.seqNo, if_primary_term: u.primaryTerm };
      if (whole !== null) return `${JSON.stringify({ index: { ...target, pipeline: '_none' } })}\n${whole}\n`;
      const doc = u.fields.anomaly_score !== undefined ? { anomaly: u.fields.anomaly, anomaly_score: u.fields.anomaly_score } : { anomaly: u.fields.anomaly };
      return `${JSON.stringify({ update: target })}\n${JSON.stringify({ doc })}\n`;
    })
    .join('');
}

describe('enrich bulk body', () => {
  it('holds the UTF-8 bytes of the stringified actions and documents, whole and partial, any characters', () => {
    const items = sources.flatMap((source, i) => {
      const u: ScoredUpdate = { index: `logs-é-${i}`, id: `id-${i}-ü`, seqNo: 10 + i, primaryTerm: 1, source, fields: fields(i === 2 ? undefined : 0.25 * (i + 1), `user:${String((source.user as { name: string }).name).slice(0, 8)}`) };
      return [{ u, whole: wholeDocument(source, u.fields) }, { u, whole: null }];
    });
    const body = bulkBody(items);
    expect(Buffer.isBuffer(body)).toBe(true);
    const text = expected(items);
    expect(body.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(body.length).toBe(Buffer.byteLength(text));
    // Every line is JSON, and the whole documents read back as their source plus the anomaly fields.
    const lines = body.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(items.length * 2);
    expect(lines[1]).toEqual({ ...sources[0], ...items[0]!.u.fields });
  });

  it('is empty for no items', () => {
    expect(bulkBody([]).length).toBe(0);
  });
});
