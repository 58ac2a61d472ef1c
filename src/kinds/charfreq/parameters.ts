// charfreq's fitted parameters (the bundle's parameters file, charfreq.json): per message source, how often it wrote
// each character and in how many messages each negative term; the population's the same; the merged lexicon; the
// statistics' weights. Parsed with zod where a bundle is loaded.
import { z } from 'zod';

/** Character classes: UTF-16 code units 0..127 one each, every other code unit one shared class. */
export const ALPHABET = 129;
export const OTHER = 128;
export const PARAMETERS_SCHEMA_VERSION = 1;
export const PARAMETERS_FILE = 'charfreq.json';

const Counts = z
  .object({
    /** Messages counted. */
    messages: z.number().int().min(0),
    /** (ALPHABET,) characters written, per class. */
    chars: z.array(z.number().int().min(0)).length(ALPHABET),
    /** Negative term -> messages that held it (at least once). */
    terms: z.record(z.string(), z.number().int().min(1)),
  })
  .strict();

/** Who wrote a message: the values of these event fields (by index in the adapter's fields), or an entity. */
const SourceSpec = z.union([
  z.object({ fields: z.array(z.object({ name: z.string(), index: z.number().int().min(0) }).strict()).min(1) }).strict(),
  z.object({ entity: z.string() }).strict(),
]);

export const ParametersSchema = z
  .object({
    schema_version: z.literal(PARAMETERS_SCHEMA_VERSION),
    alphabet: z.literal(ALPHABET),
    source: SourceSpec,
    /** Pseudo-characters at the population's rates added to a source's own characters (smoothing toward it). */
    prior_chars: z.number().positive(),
    /** Pseudo-messages at the population's term rates added to a source's own messages. */
    prior_messages: z.number().positive(),
    /** nats: a character more surprising than this in its source's messages is unusual. */
    unusual_above: z.number().positive(),
    /** Per statistic (characters, unusual characters, negative terms): 1 / (its mean on held-out messages + 0.01). */
    weights: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
    /** Negative term -> weight (1..5). */
    lexicon: z.record(z.string(), z.number().positive()),
    population: Counts,
    sources: z.record(z.string(), Counts),
  })
  .strict();

export type CharfreqParameters = z.infer<typeof ParametersSchema>;
export type SourceCounts = z.infer<typeof Counts>;
export type SourceSpec = z.infer<typeof SourceSpec>;
