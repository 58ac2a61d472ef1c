// The clustering vocabulary as models/zeek_vocab.py writes it (`vocab.json`), parsed once with zod where it enters,
// and checked against this build's feature tables: a vocabulary fitted on other features would give wrong tokens.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SeqSentryError } from '../../core/errors.js';
import { featureTable, type FeatureValue } from './features.js';
import type { DistanceSpec, Representative } from './gower.js';

export const VOCAB_SCHEMA_VERSION = 1;

/** A clustering vocabulary that cannot be used: the file, the log type or field at fault, and why. */
export class VocabError extends SeqSentryError {
  constructor(readonly file: string, reason: string, readonly field?: string) {
    super(`zeek vocabulary ${file}: ${field ? `${field}: ` : ''}${reason}`);
  }
}

const Value = z.union([z.number(), z.string(), z.null()]);

const LogTypeSchema = z.object({
  features: z.array(z.object({ name: z.string(), kind: z.enum(['num', 'cat']) })),
  /** Per feature, the training sample's [min, max] for a number (null when it never had one), null for a category. */
  ranges: z.array(z.union([z.tuple([z.number(), z.number()]), z.null()])),
  clusters: z.array(z.object({ token: z.string(), size: z.number().int(), radius: z.number().nonnegative(), medoid: z.array(Value) })),
  sample: z.number().int().nonnegative(),
  noise_share: z.number(),
});

const VocabSchema = z.object({
  schema_version: z.literal(VOCAB_SCHEMA_VERSION),
  kind: z.literal('zeek-cluster-vocab'),
  params: z.object({ sample: z.number().int(), min_cluster_size: z.number().int(), min_samples: z.number().int(), radius_floor: z.number(), seed: z.number().int() }),
  log_types: z.record(z.string(), LogTypeSchema),
});

export type VocabFile = z.infer<typeof VocabSchema>;

/** One log type ready for assignment: the distance's spec and the clusters' representatives and tokens. */
export interface LogTypeVocab {
  readonly spec: DistanceSpec;
  readonly reps: readonly Representative[];
  readonly tokens: readonly string[];
}

/** Parses a vocabulary document into its log types ready for assignment; `file` names it in errors. */
export function parseVocab(doc: unknown, file: string): Map<string, LogTypeVocab> {
  return checkVocab(doc, file).byLogType;
}

function checkVocab(doc: unknown, file: string): { doc: VocabFile; byLogType: Map<string, LogTypeVocab> } {
  const parsed = VocabSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VocabError(file, issue?.message ?? 'invalid', issue?.path.join('.'));
  }
  const out = new Map<string, LogTypeVocab>();
  for (const [logType, lt] of Object.entries(parsed.data.log_types)) {
    const table = featureTable(logType);
    if (!table) throw new VocabError(file, 'a log type this build has no feature table for', `log_types.${logType}`);
    const names = table.map((f) => `${f.name}:${f.kind}`).join(',');
    const theirs = lt.features.map((f) => `${f.name}:${f.kind}`).join(',');
    if (names !== theirs) throw new VocabError(file, `features ${theirs} differ from this build's ${names}: fit the vocabulary again`, `log_types.${logType}.features`);
    const n = table.length;
    if (lt.ranges.length !== n) throw new VocabError(file, `${lt.ranges.length} ranges for ${n} features`, `log_types.${logType}.ranges`);
    lt.clusters.forEach((c, k) => {
      if (c.medoid.length !== n) throw new VocabError(file, `medoid of ${c.medoid.length} values for ${n} features`, `log_types.${logType}.clusters.${k}`);
    });
    // the width is computed here as Python computes it (max − min), so both divide by the same double
    const widths = lt.ranges.map((r) => (r === null ? 0 : r[1] - r[0]));
    out.set(logType, {
      spec: { kinds: table.map((f) => f.kind), widths },
      reps: lt.clusters.map((c) => ({ medoid: c.medoid as FeatureValue[], radius: c.radius })),
      tokens: lt.clusters.map((c) => c.token),
    });
  }
  return { doc: parsed.data, byLogType: out };
}

export function readVocab(file: string): { doc: VocabFile; byLogType: Map<string, LogTypeVocab> } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VocabError(file, `cannot read: ${(err as Error).message}`);
  }
  return checkVocab(doc, file);
}
