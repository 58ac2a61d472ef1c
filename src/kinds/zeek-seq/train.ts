// Trains a zeek-seq bundle: reads Zeek logs as connections (merged by time, joined by uid), fits the record tokenizer
// on the training records, writes each connection as one row of per-record tokens, and hands that to the PyTorch
// trainer (models/zeek_seq.py) with the acceptance rate that sets the bundle's threshold.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAdapter } from '../../adapters/registry.js';
import { formatReadStats, newReadStats } from '../../adapters/read.js';
import { readZeekConnections } from '../../adapters/zeek-merge.js';
import { SeqSentryError, UsageError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import { EventsTsvWriter } from '../../tokenizer/events-tsv.js';
import { runPython } from '../../train/python.js';
import { progress } from '../../util/progress.js';
import { fusesWith, MODEL_KINDS, type ModelKind } from '../../model/kinds.js';
import { fitFusion } from '../../train/fit-fusion.js';
import { heldOutRule, isHeldOut } from '../../train/held-out.js';
import { connectionEvent, slotNames, slotRecords } from './connection-event.js';
import { CONNECTION_MEMORY_SPEC } from './connection-memory.js';
import { RECORD_NOVELTY_FILE, RECORD_NOVELTY_STATISTIC, RecordNovelty } from './record-novelty.js';
import { DEFAULT_RECORD_TOKENIZER, RECORD_TOKENIZERS } from './record-tokenizers.js';

/** Default expected share of anomalous connections in normal traffic: one in a thousand. */
export const DEFAULT_ACCEPTANCE_RATE = 0.001;
/** Tokens per connection: the conn record and its first three app-layer records (connection-event.ts). */
export const DEFAULT_SLOTS = 4;
export const RECORD_TOKENIZER_FILE = 'record-tokenizer.json';
/** Optimizer steps per epoch at least: a day of one host is a few thousand connections, 3 batches of 512. */
const MIN_STEPS_PER_EPOCH = 20;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The batch size that gives MIN_STEPS_PER_EPOCH on small data, the trainer's 512 on large data (at least 32). */
export function batchSizeFor(rows: number): number {
  return Math.min(512, Math.max(32, Math.ceil(rows / MIN_STEPS_PER_EPOCH)));
}

export interface ZeekSeqTrainInput {
  kind: string;
  inputs: readonly string[];
  modelDir: string;
  adapterOptions?: Record<string, unknown>;
  /** src_ip (default), dst_ip or uid: whose recent connections are the context. */
  entityKey?: string;
  epochs?: number;
  seed: number;
  context?: number;
  /** Tuples seen fewer times in training become their log type's rare token. */
  minCount: number;
  strict: boolean;
  acceptanceRate?: number;
  recordTokenizer?: string;
  slots?: number;
  /** Fuse the sequence model with the connection memory and the records' novelty (default: the kind's, models/kinds.json). */
  fusion?: boolean;
}

export async function trainZeekSeq(input: ZeekSeqTrainInput): Promise<string> {
  const adapter = createAdapter('zeek', input.adapterOptions);
  const entityKey = input.entityKey ?? adapter.entityKey;
  if (!adapter.entityNames.includes(entityKey)) throw new UsageError(`--entity "${entityKey}": ${input.kind} has ${adapter.entityNames.join(', ')}`);
  const tokenizerName = input.recordTokenizer ?? DEFAULT_RECORD_TOKENIZER;
  const entry = Object.hasOwn(RECORD_TOKENIZERS, tokenizerName) ? RECORD_TOKENIZERS[tokenizerName] : undefined;
  if (!entry) throw new UsageError(`--record-tokenizer "${tokenizerName}": known ${Object.keys(RECORD_TOKENIZERS).join(', ')}`);
  const rate = input.acceptanceRate ?? DEFAULT_ACCEPTANCE_RATE;
  if (!(rate > 0 && rate < 1)) throw new UsageError(`--acceptance-rate ${rate}: must be in (0, 1)`);
  const slots = input.slots ?? DEFAULT_SLOTS;
  const modelDir = resolve(input.modelDir);
  await mkdir(modelDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'seqsentry-zeek-seq-'));
  try {
    // Pass 1: the tokenizer sees every training record; pass 2 writes connections with the fitted tokenizer. Two
    // readings keep memory bounded by the join's window, not by the training set.
    const fit = entry.fit({ minCount: input.minCount });
    const fusion = fusesWith(MODEL_KINDS[input.kind] as ModelKind, input.fusion);
    // Only a fused bundle reads the records' novelty and holds out blocks of time (by the connections' times).
    const novelty = new RecordNovelty();
    const stats = newReadStats();
    const reading = progress('reading connections');
    let connections = 0;
    const times: number[] = [];
    for await (const c of readZeekConnections(input.inputs, adapter, stats)) {
      for (const e of c.events) fit.add(e);
      if (fusion) {
        for (const e of slotRecords(c, slots)) novelty.add(e);
        times.push((c.events[0] as CanonicalEvent).time);
      }
      if (++connections % 5000 === 0) reading.update(connections);
    }
    reading.finish(`${connections} connections`);
    process.stderr.write(formatReadStats(stats) + '\n');
    if (input.strict && stats.errors > 0) throw new SeqSentryError(`${stats.errors} unreadable records in ${input.inputs.join(', ')} (--strict)`);
    const params = JSON.stringify(await fit.parameters()) + '\n';
    await writeFile(join(modelDir, RECORD_TOKENIZER_FILE), params);
    const tokenizer = entry.open(JSON.parse(params), join(modelDir, RECORD_TOKENIZER_FILE));

    // Blocks of time spread over the day are held out from the model, as `train` does for the other kinds: the
    // fusion's tails and the calibration are fitted on them (src/train/fit-fusion.ts).
    const heldOut = fusion && times.length >= 20 ? heldOutRule(Float64Array.from(times)) : undefined;
    // The records' novelty the held-out connections are judged by: counted on the other blocks only, as their pairs are.
    const noveltyOutside = new RecordNovelty();

    const eventsPath = join(work, 'events.tsv');
    const writer = new EventsTsvWriter(eventsPath, slotNames(slots), entityKey);
    for await (const c of readZeekConnections(input.inputs, adapter, newReadStats())) {
      const event = connectionEvent(c, tokenizer, slots);
      await writer.write(event);
      if (heldOut && !isHeldOut(heldOut, event.time)) for (const e of slotRecords(c, slots)) noveltyOutside.add(e);
    }
    await writer.close();
    if (writer.rows < 20) throw new SeqSentryError(`only ${writer.rows} connections in ${input.inputs.join(', ')}: too few to train on`);

    const noveltyBytes = JSON.stringify(novelty.toFile()) + '\n';
    if (fusion) await writeFile(join(modelDir, RECORD_NOVELTY_FILE), noveltyBytes);
    const meta = {
      format: adapter.name,
      adapter_options: input.adapterOptions ?? {},
      entity_key: entityKey,
      record_tokenizer: { name: tokenizer.name, file: RECORD_TOKENIZER_FILE, sha256: sha256(params) },
      ...(fusion ? { record_novelty: { file: RECORD_NOVELTY_FILE, sha256: sha256(noveltyBytes) } } : {}),
      acceptance_rate: rate,
    };
    const metaPath = join(work, 'meta.json');
    await writeFile(metaPath, JSON.stringify(meta));
    // The tokenizer already folded rare tuples into rare tokens: every token it gives keeps its own id (min-count 1).
    const py = ['--events', eventsPath, '--kind', input.kind, '--out', modelDir, '--seed', String(input.seed), '--min-count', '1', '--no-hour-token', '--meta', metaPath, '--acceptance-rate', String(rate)];
    py.push('--batch-size', String(batchSizeFor(writer.rows)));
    if (input.epochs !== undefined) py.push('--epochs', String(input.epochs));
    // A uid names one connection and never recurs: its past is empty, so the model reads the connection alone.
    const context = input.context ?? (entityKey === 'uid' ? 0 : undefined);
    if (context !== undefined) py.push('--context', String(context));
    if (heldOut) py.push(`--held-out=${heldOut.origin},${heldOut.block},${heldOut.every}`); // `=`: a negative origin is no option
    const bar = progress(`training ${input.kind}`);
    await runPython('train.py', py, (m) => {
      if (m.type === 'step') bar.update(Number(m.step), Number(m.steps), `epoch ${String(m.epoch)}`);
      if (m.type === 'epoch') bar.finish(`epoch ${String(m.epoch)}/${String(m.epochs)}: train loss ${Number(m.train_loss).toFixed(4)}, held-out loss ${Number(m.val_loss).toFixed(4)} (${Number(m.seconds).toFixed(1)} s)`);
    });
    if (heldOut) {
      const source = async function* () {
        for await (const c of readZeekConnections(input.inputs, adapter, newReadStats())) yield { event: connectionEvent(c, tokenizer, slots, noveltyOutside) };
      };
      // No recall: a host's connections come in bursts (a scan, a beacon), whose later connections recall would make
      // ordinary, and only those later than the training day would be recalled.
      const fit = await fitFusion(modelDir, adapter, entityKey, source, writer.rows, heldOut, 0, { spec: CONNECTION_MEMORY_SPEC, statistics: [RECORD_NOVELTY_STATISTIC], blocksOut: true });
      process.stderr.write(`fusion: ${fit.heldOut} held-out connections; mean -ln p per component: ${fit.components.map((c) => `${c.name} ${c.mean_minus_log_p.toFixed(3)}`).join(', ')}\n`);
    }
    process.stderr.write(`${input.kind}: ${writer.rows} connections, ${tokenizer.name} tokenizer, ${heldOut ? 'fused with the connection memory and the records\' novelty, ' : ''}threshold at acceptance rate ${rate}\n`);
    return join(modelDir, 'bundle.json');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
