// `train --text-tokens bpe|char --text-field NAME`: collects the training texts, fits the mode on them (BPE: merges
// learnt by models/text_bpe.py into the bundle directory) and returns the spec bundle.json keeps.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import { newReadStats, type ReadItem, type ReadStats } from '../adapters/read.js';
import { SeqSentryError, UsageError } from '../core/errors.js';
import { DEFAULT_BPE_VOCAB, TEXT_MODES } from '../tokenizer/text-modes.js';
import { MAX_BPE_VOCAB, MAX_TEXT_CHARS, MAX_TEXT_TOKENS, TextTokensSchema, textFieldNames, textOf, type TextTokensSpec } from '../tokenizer/text-tokens.js';
import { progress } from '../util/progress.js';

export interface TextTokensArgs {
  mode: string;
  fields: string[];
  maxTokens?: number;
  vocabSize?: number;
}

/** Checks the options against the modes and the adapter's own field names (a text position must not shadow one). */
export function checkTextTokensArgs(args: TextTokensArgs, adapter: Adapter): { mode: TextTokensSpec['mode']; maxTokens: number; vocabSize: number } {
  if (!Object.hasOwn(TEXT_MODES, args.mode)) throw new UsageError(`--text-tokens "${args.mode}": known are ${Object.keys(TEXT_MODES).join(', ')}, none`);
  const mode = args.mode as TextTokensSpec['mode'];
  if (args.fields.length === 0) throw new UsageError(`--text-tokens ${mode} needs --text-field NAME (the record's free-text field, e.g. uri, query, user_agent.original; text for a syslog message)`);
  if (new Set(args.fields).size !== args.fields.length) throw new UsageError(`--text-field: ${args.fields.join(', ')} names a field twice`);
  const maxTokens = args.maxTokens ?? TEXT_MODES[mode].defaultMaxTokens;
  if (maxTokens < 1 || maxTokens > MAX_TEXT_TOKENS) throw new UsageError(`--text-max-tokens ${maxTokens}: between 1 and ${MAX_TEXT_TOKENS}`);
  const vocabSize = args.vocabSize ?? DEFAULT_BPE_VOCAB;
  if (vocabSize < 257 || vocabSize > MAX_BPE_VOCAB) throw new UsageError(`--text-vocab ${vocabSize}: between 257 (the 256 bytes and one merge) and ${MAX_BPE_VOCAB}`);
  const clash = textFieldNames({ fields: args.fields, max_tokens: maxTokens }).filter((f) => adapter.fieldNames.includes(f));
  if (clash.length) throw new UsageError(`--text-field: ${clash.join(', ')} is already a field of the ${adapter.name} adapter`);
  return { mode, maxTokens, vocabSize };
}

/**
 * Fits the text tokens on the texts of the training events (read once through the plain adapter, at most
 * `maxEvents` events, as training reads them) and returns the checked spec. A text field no event carries is an error:
 * it would give K positions that are always `<none>`.
 */
export async function fitTextTokens(args: TextTokensArgs, adapter: Adapter, read: (stats: ReadStats) => AsyncIterable<ReadItem>, modelDir: string, work: string, maxEvents?: number): Promise<TextTokensSpec> {
  const { mode, maxTokens, vocabSize } = checkTextTokensArgs(args, adapter);
  const textsPath = join(work, 'texts.jsonl');
  const out = createWriteStream(textsPath, { encoding: 'utf8' });
  const found = new Map(args.fields.map((f) => [f, 0]));
  let events = 0;
  const bar = progress('text fields');
  for await (const item of read(newReadStats())) {
    if (!item.event) continue;
    for (const f of args.fields) {
      const text = textOf(item.event, f);
      if (text === undefined) continue;
      found.set(f, (found.get(f) ?? 0) + 1);
      if (!out.write(JSON.stringify(text.slice(0, MAX_TEXT_CHARS)) + '\n')) await once(out, 'drain');
    }
    if (++events % 10_000 === 0) bar.update(events);
    if (maxEvents !== undefined && events >= maxEvents) break;
  }
  out.end();
  await once(out, 'finish');
  const missing = [...found].filter(([, n]) => n === 0).map(([f]) => f);
  if (missing.length) throw new SeqSentryError(`--text-field ${missing.join(', ')}: no training event of the ${adapter.name} adapter carries it as text (a key of the record as read, or text for the message)`);
  bar.finish(`${[...found].map(([f, n]) => `${f}: ${n} texts`).join(', ')} in ${events} events`);
  const fitted = TEXT_MODES[mode].learns ? await TEXT_MODES[mode].fit(textsPath, vocabSize, modelDir) : {};
  return TextTokensSchema.parse({ mode, fields: args.fields, max_tokens: maxTokens, ...fitted });
}
