// Free-text fields as K extra categorical fields: the first K subword (or byte) pieces of each named text, so the
// field-tokens contract and every kind that takes it read them unchanged (docs/contracts.md, "Text tokens").
import { z } from 'zod';
import type { Adapter } from '../adapters/adapter.js';
import type { CanonicalEvent } from '../core/event.js';

/** The value of every position of a text the event does not carry (a conn record has no URI). */
export const NO_TEXT = '<none>';
/** The value of the positions past a text's last piece. */
export const END = '<end>';
/** The last position's value when the text has more than K pieces: "longer than K pieces" is itself a feature. */
export const MORE = '<more>';
/** `--text-field text` names the event's own message (a syslog line's text after its tag). */
export const EVENT_TEXT = 'text';
/** Bounds of the options, so a bundle cannot ask for a model thousands of fields wide. */
export const MAX_TEXT_TOKENS = 64;
export const MAX_BPE_VOCAB = 65_536;
/**
 * Characters of a text that are cut into pieces: K pieces never need more, and a hostile 1 MB URI must cost no more
 * than a long one. Training and scoring cut the same way, so the pieces agree.
 */
export const MAX_TEXT_CHARS = 2048;

/** bundle.json's `text_tokens`: how the free-text fields were cut into pieces, and the file that does it. */
export const TextTokensSchema = z.object({
  mode: z.enum(['bpe', 'char']),
  /** The text fields, in the order their positions follow the adapter's fields. */
  fields: z.array(z.string().min(1)).min(1),
  /** K: positions per text field. */
  max_tokens: z.number().int().min(1).max(MAX_TEXT_TOKENS),
  /** bpe: the requested vocabulary size (the trained one may be smaller on little text) and the tokenizer file. */
  vocab_size: z.number().int().min(257).max(MAX_BPE_VOCAB).optional(),
  file: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
}).strict().refine((t) => t.mode !== 'bpe' || (t.file !== undefined && t.sha256 !== undefined), { message: 'mode bpe needs its tokenizer file and sha256' });

export type TextTokensSpec = z.infer<typeof TextTokensSchema>;

/** Cuts one text into its pieces (every piece, uncut: positions are assigned by `textValues`). */
export interface TextPiecer {
  pieces(text: string): string[];
}

/** A loaded spec: the pieces of a text and the model fields they fill. */
export interface TextTokens {
  readonly spec: TextTokensSpec;
  readonly piecer: TextPiecer;
}

/** The K model-field names of a text field: `uri#1` ... `uri#K`. */
export function textFieldNames(spec: Pick<TextTokensSpec, 'fields' | 'max_tokens'>): string[] {
  return spec.fields.flatMap((f) => Array.from({ length: spec.max_tokens }, (_, i) => `${f}#${i + 1}`));
}

/**
 * The text a field names in an event: `text` is the event's message; another name is a key of the record as read
 * (Zeek's `uri`, `query`), a dotted key as written flat (`user_agent.original`) or nested. Non-text values are absent.
 */
export function textOf(event: Pick<CanonicalEvent, 'text' | 'raw'>, field: string): string | undefined {
  if (field === EVENT_TEXT) return event.text;
  const raw = event.raw;
  if (raw === null || typeof raw !== 'object') return undefined;
  const rec = raw as Record<string, unknown>;
  let v: unknown = Object.hasOwn(rec, field) ? rec[field] : undefined;
  if (v === undefined && field.includes('.')) {
    v = field.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined), rec);
  }
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The K values of one text: its first pieces, `<more>` last when it has more than K, then `<end>`s. */
export function textValues(pieces: readonly string[] | undefined, k: number): string[] {
  if (pieces === undefined) return new Array<string>(k).fill(NO_TEXT);
  const out = pieces.length > k ? [...pieces.slice(0, k - 1), MORE] : [...pieces];
  while (out.length < k) out.push(END);
  return out;
}

/** The event's text-field values in model-field order. */
export function textFieldValues(tokens: TextTokens, event: Pick<CanonicalEvent, 'text' | 'raw'>): string[] {
  return tokens.spec.fields.flatMap((f) => {
    const text = textOf(event, f);
    return textValues(text === undefined ? undefined : tokens.piecer.pieces(text.slice(0, MAX_TEXT_CHARS)), tokens.spec.max_tokens);
  });
}

/**
 * The adapter with each text field's K positions appended to its fields, so training, the fusion's memory and
 * every scoring path see the same events; null tokens give the adapter back unchanged.
 */
export function withTextTokens(adapter: Adapter, tokens: TextTokens | null): Adapter {
  if (!tokens) return adapter;
  const extra = textFieldNames(tokens.spec);
  return Object.freeze({
    ...adapter,
    fieldNames: [...adapter.fieldNames, ...extra],
    parse(record: Parameters<Adapter['parse']>[0], source: Parameters<Adapter['parse']>[1]) {
      const event = adapter.parse(record, source);
      if (event === null || 'skip' in event) return event;
      return { ...event, fields: [...event.fields, ...textFieldValues(tokens, event)] };
    },
  });
}
