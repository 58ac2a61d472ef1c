// zeek-seq enrich test helpers: OTRF APT29 day 2's Zeek JSON records as a shipper stores them (one document per record,
// `ts` in ISO 8601 with Zeek's microseconds, as Zeek's JSON writer gives it with JSON::TS_ISO8601), `seqsentry score`'s
// output for the same records written back to files, and the enricher run with a hook that can stop it after a bulk.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { createAdapter } from '../../src/adapters/registry.js';
import { readZeekConnections } from '../../src/adapters/zeek-merge.js';
import { scoreFiles } from '../../src/commands/score.js';
import { DEFAULT_BACKOFF } from '../../src/enrich/retry.js';
import { ConnectionEnricher, type ConnectionEnrichOptions, type ConnectionEnrichStats } from '../../src/kinds/zeek-seq/connection-enrich.js';
import { createOpenSearchClient } from '../../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../../src/opensearch/config.js';
import { storedScore } from '../../src/service/anomaly-fields.js';
import { hasBuild, hasPython, hasSharedData } from './env.js';
import { requireOpenSearch } from './opensearch.js';
import { os } from './os-helpers.js';

/** What the zeek-seq enrich tests need besides OpenSearch: the shared Zeek data, the trainer and the build. */
export const zeekSeqReady = (): boolean => hasSharedData() && hasPython() && hasBuild();

/** A test's beforeEach: skips it without OpenSearch or without what zeekSeqReady checks. */
export function requireZeekSeq(ctx: { skip: (note?: string) => void }): void {
  requireOpenSearch(ctx);
  if (!zeekSeqReady()) ctx.skip('needs the shared Zeek data, the trainer and the build');
}

export interface ZeekDoc {
  id: string;
  /** The file it came from, and its line there. */
  file: string;
  source: Record<string, unknown>;
}

/**
 * Zeek's epoch `ts` as its ISO 8601 writer spells it, to the microsecond. Epoch seconds cannot stay a number in a
 * date field: a partial update re-serializes the stored source, and OpenSearch writes 1588316522.194829 back as
 * 1.588316522194829E9, which the epoch_second format then refuses (the update fails).
 */
export function isoTs(ts: number): string {
  const [secs, frac = ''] = String(ts).split('.');
  return new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${frac.padEnd(6, '0').slice(0, 6)}Z`);
}

/**
 * Every record of the files, its id naming its file and line (`SCRANTON_dns.log:000003`: zero-padded, so that records
 * of one file and one time sort by _id as they stand in the file, the order `score` reads them in), `ts` in ISO 8601.
 */
export function zeekDocs(files: readonly string[]): ZeekDoc[] {
  return files.flatMap((f) =>
    readFileSync(f, 'utf8').trimEnd().split('\n').map((l, i) => {
      const source = JSON.parse(l) as Record<string, unknown>;
      return { id: `${basename(f)}:${String(i + 1).padStart(6, '0')}`, file: basename(f), source: { ...source, ts: isoTs(source.ts as number) } };
    }),
  );
}

/**
 * Documents as files of their own (one per file they came from), each in time order (ties as they stood): what
 * `score` reads. Zeek writes a record when it is done, so its files are near time order only, and the file reader's
 * merge by time follows each file's order where the index walk follows time (an ssl record written after a later
 * one would join its x509 record on one path and not on the other). Returns the files and, per file, the document
 * ids in line order.
 */
export function writeDocFiles(docs: readonly ZeekDoc[]): { files: string[]; idAt: (file: string, line: number) => string | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-seq-docs-'));
  const byFile = new Map<string, ZeekDoc[]>();
  for (const d of docs) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const ids = new Map<string, string[]>();
  const files = [...byFile].map(([file, list]) => {
    // ISO times of one writer have one length: as text they sort as times
    const sorted = [...list].sort((a, b) => ((a.source.ts as string) < (b.source.ts as string) ? -1 : (a.source.ts as string) > (b.source.ts as string) ? 1 : 0));
    const path = join(dir, file);
    writeFileSync(path, sorted.map((d) => JSON.stringify(d.source)).join('\n') + '\n');
    ids.set(path, sorted.map((d) => d.id));
    return path;
  });
  return { files, idAt: (file, line) => ids.get(file)?.[line - 1] };
}

/** The index a user's Zeek JSON goes into: the content pack's anomaly fields, `ts` (what enrich walks by) a date. */
export function zeekIndexBody(): Record<string, unknown> {
  const anomaly = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'pipelines', 'templates', 'seqsentry-anomaly-fields.json'), 'utf8')) as { template: { mappings: { properties: Record<string, unknown> } } };
  return {
    settings: { number_of_shards: 2, number_of_replicas: 0 },
    mappings: { properties: { ...anomaly.template.mappings.properties, ts: { type: 'date' } } },
  };
}

/** Bulk-indexes documents as a shipper does (refreshed after). */
export async function shipDocs(url: string, index: string, docs: readonly ZeekDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 2000) {
    const body = docs.slice(i, i + 2000).flatMap((d) => [JSON.stringify({ index: { _index: index, _id: d.id } }), JSON.stringify(d.source)]).join('\n') + '\n';
    const res = await os(url, 'POST', '/_bulk', body);
    if (res.status !== 200 || res.json.errors) throw new Error(`bulk into ${index}: ${JSON.stringify(res.json).slice(0, 600)}`);
  }
  await os(url, 'POST', `/${index}/_refresh`);
}

export interface Expected {
  anomaly_score: number;
  is_anomaly: boolean;
  uid: string;
}

/**
 * `seqsentry score`'s result for each document, scored from files holding the same records: its connection's stored
 * anomaly_score and is_anomaly. A connection's line names its first record; every record of its uid gets it (a
 * record of no uid is its own connection, named by its line).
 */
export async function scoredByFiles(modelDir: string, docs: readonly ZeekDoc[]): Promise<Map<string, Expected>> {
  const { files, idAt } = writeDocFiles(docs);
  const output = join(mkdtempSync(join(tmpdir(), 'seqsentry-zeek-seq-score-')), 'scores.jsonl');
  // The daily alert budget off here and in enrichOptions: it judges connections in the order each path meets them
  // (files: input order; enrich: as their joins complete), so is_anomaly is compared as the threshold sets it.
  await scoreFiles({ modelDir, inputs: [...files], output, strict: false, batchSize: 1024, budget: null });
  const lines = readFileSync(output, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { file: string; line: number; uid: string; anomaly_score: number; is_anomaly: boolean });
  // A connection's line names its first record; each record of it is found by the uid the join gave it (a files
  // record's first conn_uids, an x509 record's ssl connection), read off the same join.
  const adapter = createAdapter('zeek');
  const uidOf = new Map<string, string>();
  for await (const c of readZeekConnections(files, adapter)) for (const e of c.events) uidOf.set(idAt(e.source.file, e.source.line) as string, c.uid);
  const byUid = new Map(lines.filter((l) => l.uid !== '?').map((l) => [l.uid, l]));
  const out = new Map<string, Expected>();
  for (const d of docs) {
    const uid = uidOf.get(d.id);
    if (uid === undefined) continue;
    const line = uid === '?' ? lines.find((l) => l.uid === '?' && idAt(l.file, l.line) === d.id) : byUid.get(uid);
    if (line) out.set(d.id, { anomaly_score: storedScore(line.anomaly_score), is_anomaly: line.is_anomaly, uid: line.uid });
  }
  return out;
}

export function enrichOptions(pattern: string, joinDelaySeconds: number, batchSize = 1024): ConnectionEnrichOptions {
  return { pattern, since: '2000-01-01T00:00:00Z', joinDelaySeconds, batchSize, pageSize: 500, keepAlive: '1m', backoff: DEFAULT_BACKOFF, explainAbove: 0, follow: false, pollMs: 1000, budget: null };
}

/** One enrich run; with `stopAfterBulks`, stopped (as by SIGTERM) once that many scoring bulks are written. */
export async function runConnectionEnrich(url: string, modelDir: string, options: ConnectionEnrichOptions, stopAfterBulks?: number): Promise<ConnectionEnrichStats> {
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  const controller = new AbortController();
  let bulks = 0;
  try {
    const enricher = new ConnectionEnricher(client, modelDir, options, {
      onBulk: () => {
        if (stopAfterBulks !== undefined && ++bulks >= stopAfterBulks) controller.abort();
      },
    });
    return await enricher.run(controller.signal);
  } finally {
    await client.close();
  }
}
