// The enricher's bulk write-back backs off exponentially (with jitter) on 429, whole-request or per item, re-reads
// version conflicts, and accounts for every update: applied once, already scored, or reported; never lost.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnomalyWriter, type ScoredUpdate } from '../src/enrich/anomaly-writer.js';
import { OpenSearchError } from '../src/core/errors.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';

interface Seen {
  at: number;
  path: string;
  actions: Array<{ update: { _index: string; _id: string; if_seq_no: number; if_primary_term: number } }>;
  docs: unknown[];
  status: number;
}

type Handler = (req: { path: string; actions: Seen['actions']; body: any }, n: number) => { status: number; body: unknown };

/** A small OpenSearch stand-in on 127.0.0.1 whose answers each test scripts. */
class FakeOpenSearch {
  server: Server = createServer((req, res) => void this.handle(req, res));
  seen: Seen[] = [];
  handlers: Record<string, Handler> = {};
  counts: Record<string, number> = {};

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.seen = [];
    this.handlers = {};
    this.counts = {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const path = (req.url ?? '').split('?')[0]!;
    const lines = path === '/_bulk' ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
    const actions = lines.filter((_, i) => i % 2 === 0);
    const docs = lines.filter((_, i) => i % 2 === 1);
    const n = (this.counts[path] = (this.counts[path] ?? 0) + 1);
    const handler = this.handlers[path];
    const out = handler ? handler({ path, actions, body: path === '/_bulk' || !text ? null : JSON.parse(text) }, n) : { status: 404, body: { error: 'not scripted' } };
    this.seen.push({ at: performance.now(), path, actions, docs, status: out.status });
    res.writeHead(out.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out.body));
  }
}

const rejected = { error: { type: 'rejected_execution_exception', reason: 'rejected execution of coordinating operation' }, status: 429 };
const ok = (a: Seen['actions'][number]) => ({ update: { _index: a.update._index, _id: a.update._id, status: 200, result: 'updated', _version: 2 } });

function updates(n: number): ScoredUpdate[] {
  return Array.from({ length: n }, (_, i) => ({
    index: 'events-1',
    id: `e${i}`,
    seqNo: i,
    primaryTerm: 1,
    fields: { anomaly_score: i / n, anomaly: { raw: 1, model: { name: 'm', version: '1', kind: 'transformer-mlm' }, scored_at: '2026-11-22T00:00:00.000Z' } },
  }));
}

describe('enrich retries on 429', () => {
  const fake = new FakeOpenSearch();
  let writer: AnomalyWriter;
  const acked = new Map<string, number>();
  const policy = { baseMs: 40, capMs: 2000, attempts: 6 };

  beforeAll(async () => {
    const url = await fake.start();
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    writer = new AnomalyWriter(client, { backoff: policy });
  });
  afterEach(() => {
    fake.reset();
    acked.clear();
  });
  afterAll(() => new Promise<void>((r) => fake.server.close(() => r())));

  /** A bulk handler that records which ids it acknowledged. */
  const ack = (a: Seen['actions'][number]) => {
    acked.set(a.update._id, (acked.get(a.update._id) ?? 0) + 1);
    return ok(a);
  };

  it('backs off exponentially on whole-request 429s, then writes every update once', async () => {
    fake.handlers['/_bulk'] = ({ actions }, n) => (n <= 3 ? { status: 429, body: rejected } : { status: 200, body: { errors: false, items: actions.map(ack) } });
    const outcome = await writer.write(updates(50));
    expect(outcome).toMatchObject({ updated: 50, alreadyScored: 0, gone: 0, failed: [] });
    const bulks = fake.seen.filter((s) => s.path === '/_bulk');
    expect(bulks.map((s) => s.status)).toEqual([429, 429, 429, 200]);
    // Waits grow: retry k waits between half and all of base·2^k (equal jitter).
    bulks.slice(1).forEach((s, k) => {
      const gap = s.at - bulks[k]!.at;
      expect(gap).toBeGreaterThanOrEqual((policy.baseMs * 2 ** k) / 2 - 5);
      expect(gap).toBeLessThan(policy.baseMs * 2 ** k + 250);
    });
    expect([...acked.values()].every((c) => c === 1)).toBe(true);
    expect(acked.size).toBe(50);
    // Each retry resends the same partial documents: only the anomaly fields, guarded by the read's seq_no.
    expect(bulks[3]!.actions[7]!.update).toEqual({ _index: 'events-1', _id: 'e7', if_seq_no: 7, if_primary_term: 1 });
    expect(Object.keys(bulks[3]!.docs[7] as object)).toEqual(['doc']);
    expect(Object.keys((bulks[3]!.docs[7] as { doc: object }).doc).sort()).toEqual(['anomaly', 'anomaly_score']);
  });

  it('resends only the items refused with 429 inside a successful bulk', async () => {
    fake.handlers['/_bulk'] = ({ actions }, n) => ({
      status: 200,
      body: {
        errors: n <= 2,
        // First two answers refuse every third item; then everything goes through.
        items: actions.map((a, i) => (n <= 2 && i % 3 === 0 ? { update: { _index: a.update._index, _id: a.update._id, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } } : ack(a))),
      },
    });
    const outcome = await writer.write(updates(30));
    expect(outcome.updated).toBe(30);
    expect(outcome.failed).toEqual([]);
    const sizes = fake.seen.filter((s) => s.path === '/_bulk').map((s) => s.actions.length);
    expect(sizes).toEqual([30, 10, 4]);
    expect(acked.size).toBe(30);
    expect([...acked.values()].every((c) => c === 1)).toBe(true);
  });

  it('re-reads version conflicts: skips events scored meanwhile, rewrites others under the new seq_no', async () => {
    fake.handlers['/_bulk'] = ({ actions }, n) => ({
      status: 200,
      body: {
        errors: n === 1,
        items: actions.map((a) => (n === 1 && ['e1', 'e2'].includes(a.update._id) ? { update: { _index: a.update._index, _id: a.update._id, status: 409, error: { type: 'version_conflict_engine_exception', reason: 'current document has seqNo [9]' } } } : ack(a))),
      },
    });
    fake.handlers['/_mget'] = ({ body }) => ({
      status: 200,
      body: {
        docs: body.docs.map((d: { _index: string; _id: string }) =>
          d._id === 'e1'
            ? { _index: d._index, _id: d._id, found: true, _seq_no: 9, _primary_term: 1, _source: { anomaly_score: 0.9, anomaly: { scored_at: 'x' } } }
            : { _index: d._index, _id: d._id, found: true, _seq_no: 12, _primary_term: 2, _source: {} },
        ),
      },
    });
    const outcome = await writer.write(updates(5));
    expect(outcome).toMatchObject({ updated: 4, alreadyScored: 1, failed: [] });
    const second = fake.seen.filter((s) => s.path === '/_bulk')[1]!;
    expect(second.actions.map((a) => a.update)).toEqual([{ _index: 'events-1', _id: 'e2', if_seq_no: 12, if_primary_term: 2 }]);
    expect(acked.get('e1')).toBeUndefined();
    expect(acked.get('e2')).toBe(1);
  });

  it('reports items that fail for good and throws when 429s never stop, never dropping silently', async () => {
    fake.handlers['/_bulk'] = ({ actions }) => ({
      status: 200,
      body: { errors: true, items: actions.map((a, i) => (i === 0 ? { update: { _index: a.update._index, _id: a.update._id, status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [anomaly_score]' } } } : ack(a))) },
    });
    const outcome = await writer.write(updates(3));
    expect(outcome.updated).toBe(2);
    expect(outcome.failed).toEqual([{ index: 'events-1', id: 'e0', status: 400, reason: 'mapper_parsing_exception: failed to parse field [anomaly_score]' }]);

    fake.reset();
    fake.handlers['/_bulk'] = () => ({ status: 429, body: rejected });
    const err = await writer.write(updates(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenSearchError);
    expect((err as OpenSearchError).status).toBe(429);
    expect(fake.seen.filter((s) => s.path === '/_bulk')).toHaveLength(policy.attempts);
  });
});
