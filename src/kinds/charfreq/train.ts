// `seqsentry train --kind charfreq`: counts, per message source, the characters and negative terms of the training
// messages, holds out the same blocks of time as the other kinds' fusion step (src/train/held-out.ts),
// weighs each statistic by its held-out mean, calibrates the raw score on the held-out messages, and writes
// charfreq.json then bundle.json (last, so a watcher never sees a bundle without its parameters).
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeqSentryError, UsageError } from '../../core/errors.js';
import { BUNDLE_SCHEMA_VERSION } from '../../model/bundle.js';
import { fitCalibration } from '../../scorer/calibrate.js';
import { heldOutRule, isHeldOut } from '../../train/held-out.js';
import type { TypeScriptTrainInput } from '../typescript-kinds.js';
import { negativeLexicon } from './lexicon.js';
import { CharfreqModel, sourceKey } from './model.js';
import { ALPHABET, OTHER, PARAMETERS_FILE, PARAMETERS_SCHEMA_VERSION, type CharfreqParameters, type SourceCounts, type SourceSpec } from './parameters.js';
import { TermIndex } from './terms.js';

/** Smoothing: a source's counts weigh against this many characters / messages at the population's rates. */
const PRIOR_CHARS = 200;
const PRIOR_MESSAGES = 20;
/** nats: a character its source writes less than once in ~3,000 is unusual (and named in the explanation). */
const UNUSUAL_ABOVE = Math.log(3000);
/** anomaly_score from which a message is an anomaly: models/export.py's THRESHOLD. */
const THRESHOLD = 0.999;

function emptyCounts(): SourceCounts {
  return { messages: 0, chars: new Array<number>(ALPHABET).fill(0), terms: {} };
}

/** Counts one message into a source's counts. */
function count(into: SourceCounts, text: string, terms: readonly string[]): void {
  into.messages += 1;
  const chars = into.chars;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const k = c < OTHER ? c : OTHER;
    chars[k] = (chars[k] as number) + 1;
  }
  for (const t of terms) into.terms[t] = (into.terms[t] ?? 0) + 1;
}

async function writeAtomic(path: string, text: string): Promise<string> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
  return createHash('sha256').update(text).digest('hex');
}

export async function trainCharfreq(input: TypeScriptTrainInput): Promise<string> {
  const { adapter } = input;
  const source: SourceSpec = adapter.textSource
    ? { fields: adapter.textSource.map((name) => ({ name, index: adapter.fieldNames.indexOf(name) })) }
    : { entity: input.entityKey };
  if ('fields' in source && source.fields.some((f) => f.index < 0)) throw new SeqSentryError(`format ${adapter.name}: its text source names a field it does not have (${adapter.textSource?.join(', ')})`);
  // Every message in memory: two passes (the held-out rule needs the span of time first).
  const times: number[] = [];
  const keys: string[] = [];
  const texts: string[] = [];
  for await (const event of input.events) {
    if (event.text === undefined) throw new UsageError(`--kind ${input.kind} scores message text; format ${adapter.name} gives its events none (${event.source.file}:${event.source.line})`);
    times.push(event.time);
    keys.push(sourceKey(source, event));
    texts.push(event.text);
  }
  if (texts.length < 20) throw new SeqSentryError(`only ${texts.length} messages: too few to train ${input.kind} on`);
  const rule = heldOutRule(Float64Array.from(times));
  const lexicon = negativeLexicon();
  const index = new TermIndex(Object.keys(lexicon));
  const population = emptyCounts();
  const sources: Record<string, SourceCounts> = {};
  const heldOut: number[] = [];
  const found: number[] = [];
  texts.forEach((text, i) => {
    if (isHeldOut(rule, times[i] as number)) {
      heldOut.push(i);
      return;
    }
    found.length = 0;
    index.scan(text, found);
    const terms = found.map((t) => index.terms[t] as string);
    count(population, text, terms);
    count((sources[keys[i] as string] ??= emptyCounts()), text, terms);
  });
  const params: CharfreqParameters = {
    schema_version: PARAMETERS_SCHEMA_VERSION,
    alphabet: ALPHABET,
    source,
    prior_chars: PRIOR_CHARS,
    prior_messages: PRIOR_MESSAGES,
    unusual_above: UNUSUAL_ABOVE,
    weights: [1, 1, 1],
    lexicon,
    population,
    sources,
  };
  // Each statistic counts in units of its mean on held-out messages (the weights do not change the statistics).
  const fitted = new CharfreqModel(params);
  const stats = heldOut.map((i) => fitted.statistics(keys[i] as string, texts[i] as string));
  const mean = (k: number) => stats.reduce((a, s) => a + (s[k] as number), 0) / stats.length;
  params.weights = [1 / (mean(0) + 0.01), 1 / (mean(1) + 0.01), 1 / (mean(2) + 0.01)];
  const raws = stats.map((s) => fitted.raw(s)); // `fitted` reads params, weights included
  const calibration = fitCalibration(raws);

  const sha256 = await writeAtomic(join(input.modelDir, PARAMETERS_FILE), JSON.stringify(params) + '\n');
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const bundle = {
    schema_version: BUNDLE_SCHEMA_VERSION,
    kind: input.kind,
    name: `seqsentry-${input.kind}`,
    version: now.toISOString().replace(/[-:]/g, '').replace('.000', ''),
    created_at: now.toISOString().replace('.000', ''),
    format: adapter.name,
    adapter_options: input.adapterOptions,
    entity_key: input.entityKey,
    context_length: 0,
    parameters: { file: PARAMETERS_FILE, sha256 },
    calibration,
    threshold: THRESHOLD,
    training: { messages: texts.length - heldOut.length, held_out: heldOut.length, sources: Object.keys(sources).length, lexicon_terms: Object.keys(lexicon).length },
    metrics: { val_mean_raw: raws.reduce((a, b) => a + b, 0) / raws.length, val_mean_statistics: { characters: mean(0), unusual: mean(1), terms: mean(2) } },
  };
  await writeAtomic(join(input.modelDir, 'bundle.json'), JSON.stringify(bundle, null, 1) + '\n');
  return `${input.kind}: ${texts.length - heldOut.length} messages from ${Object.keys(sources).length} sources, ${heldOut.length} held out for calibration`;
}
