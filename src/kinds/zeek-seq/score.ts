// Scores Zeek logs with a zeek-seq bundle: connections (merged by time, joined by uid) in the order the join emits
// them, each with its host's previous connections as context, one output line per connection. As `score` does for
// records, a first reading fills the history with every connection, so each is scored after those that came before it
// in time whatever order the join closed them in.
import type { Adapter } from '../../adapters/adapter.js';
import { formatReadStats, newReadStats, type ReadStats } from '../../adapters/read.js';
import { readZeekConnections } from '../../adapters/zeek-merge.js';
import type { ZeekConnection } from '../../adapters/zeek-join.js';
import { SeqSentryError, type AdapterError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import { openOutputFile } from '../../output/output-file.js';
import type { Scorer, ScoreResult } from '../../scorer/scorer.js';
import type { ConnectionFeaturizer } from './featurizer.js';

export interface ScoredConnection {
  connection: ZeekConnection;
  event: CanonicalEvent;
  result: ScoreResult;
}

/** Per-token anomaly: 1 - p(true token), from the token's surprisal -ln p. */
export const tokenAnomaly = (surprisal: number): number => -Math.expm1(-surprisal);

/** Every connection of the files, scored; `scorer` must keep all history (ScorerOptions.keepAllHistory). */
export async function* scoreConnections(scorer: Scorer, featurizer: ConnectionFeaturizer, files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), batchSize = 1024, onUnreadable?: (error: AdapterError) => void): AsyncGenerator<ScoredConnection> {
  let held = 0;
  for await (const c of readZeekConnections(files, adapter, newReadStats())) scorer.remember([featurizer.event(c)], undefined, [held++]);
  let seq = 0;
  let batch: { connection: ZeekConnection; event: CanonicalEvent; seq: number }[] = [];
  const flush = async function* () {
    const results = await scorer.score(batch.map((b) => b.event), undefined, batch.map((b) => b.seq));
    for (let i = 0; i < batch.length; i++) yield { connection: batch[i]!.connection, event: batch[i]!.event, result: results[i]! };
    batch = [];
  };
  for await (const connection of readZeekConnections(files, adapter, stats, {}, undefined, onUnreadable)) {
    batch.push({ connection, event: featurizer.event(connection), seq: seq++ });
    if (batch.length >= batchSize) yield* flush();
  }
  if (batch.length) yield* flush();
  if (seq !== held) throw new SeqSentryError(`the input changed while it was scored (${held} connections on the first reading, ${seq} on the second)`);
}

export interface ConnectionScoreArgs {
  inputs: readonly string[];
  output: string;
  batchSize: number;
}

/** `score` for a zeek-seq bundle: one JSON line per connection, where its first record is, and its tokens' anomaly. */
export async function scoreConnectionFiles(scorer: Scorer, featurizer: ConnectionFeaturizer, adapter: Adapter, args: ConnectionScoreArgs): Promise<{ scored: number; anomalies: number; errors: number }> {
  // Its folder was checked before the model loaded (score.ts); openOutputFile refuses an input, a folder, and the rest.
  const out = await openOutputFile(args.output, args.inputs);
  const stats = newReadStats();
  let scored = 0;
  let anomalies = 0;
  try {
    let text = '';
    // An unreadable record is a line of its own, where it is met: no record leaves the output without a word.
    const unreadable = (err: AdapterError) => {
      text += JSON.stringify({ file: err.source, line: err.line, error: err.message }) + '\n';
    };
    for await (const { connection, event, result } of scoreConnections(scorer, featurizer, args.inputs, adapter, stats, args.batchSize, unreadable)) {
      scored += 1;
      if (result.is_anomaly) anomalies += 1;
      const tokens = result.fields.map((f) => ({ slot: f.field, token: f.value, anomaly: tokenAnomaly(f.surprisal), expected: f.expected }));
      text += JSON.stringify({ file: event.source.file, line: event.source.line, uid: connection.uid, conn: connection.conn, records: connection.events.length, time: event.time, entities: event.entities, anomaly_score: result.anomaly_score, raw: result.raw, is_anomaly: result.is_anomaly, tokens, ...(result.components ? { components: result.components } : {}) }) + '\n';
      if (text.length > 1 << 16) {
        await out.write(text);
        text = '';
      }
    }
    if (text.length) await out.write(text);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  process.stderr.write(formatReadStats(stats) + '\n');
  return { scored, anomalies, errors: stats.errors };
}
