// The model kinds, declared once in models/kinds.json (models/registry.py reads the same file): each kind's runtime,
// context and summary. An ONNX kind names its contract, which the scorer feeds through the contract's runtime; a pure
// TypeScript kind names the module that trains and scores it (src/kinds/typescript-kinds.ts), and has no ONNX file.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SeqSentryError, UsageError } from '../core/errors.js';

export type FusionPolicy = 'default' | 'opt-in' | 'never';

const Tensor = z.object({ name: z.string().min(1), dtype: z.enum(['int64', 'float32']), dims: z.array(z.string()).min(1) }).strict();
const Contract = z.object({ summary: z.string(), inputs: z.array(Tensor).min(1), outputs: z.array(Tensor).min(1) }).strict();
const Kind = z
  .object({
    summary: z.string(),
    default_context: z.number().int().min(0),
    contextual: z.boolean(),
    contract: z.string().optional(),
    python: z.object({ module: z.string(), model: z.string(), config: z.string() }).strict().optional(),
    typescript: z.object({ module: z.string().min(1) }).strict().optional(),
    fusion: z.enum(['default', 'opt-in', 'never']),
    featurizer: z.string().min(1).optional(),
    raw_score: z.enum(['weighted-mean', 'max']).optional(),
  })
  .strict();
const Registry = z
  .object({
    _comment: z.string().optional(),
    default: z.string(),
    default_by_format: z.record(z.string(), z.string()).optional(),
    screen_by_format: z.record(z.string(), z.record(z.string(), z.number().gt(0).lt(1))).optional(),
    contracts: z.record(z.string(), Contract),
    kinds: z.record(z.string(), Kind),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!(r.default in r.kinds)) ctx.addIssue({ code: 'custom', message: `default kind "${r.default}" is not declared` });
    for (const [format, kind] of Object.entries(r.default_by_format ?? {})) {
      if (!(kind in r.kinds)) ctx.addIssue({ code: 'custom', path: ['default_by_format', format], message: `default kind "${kind}" of format ${format} is not declared` });
    }
    for (const [format, kinds] of Object.entries(r.screen_by_format ?? {})) {
      for (const kind of Object.keys(kinds)) {
        const k = r.kinds[kind];
        if (!k || !k.contextual || k.contract === undefined || k.fusion === 'never') ctx.addIssue({ code: 'custom', path: ['screen_by_format', format, kind], message: `a screen needs a declared ONNX kind with context and fusion; ${kind} is ${k ? 'not one' : 'not declared'}` });
      }
    }
    for (const [name, k] of Object.entries(r.kinds)) {
      const onnx = k.contract !== undefined && k.python !== undefined;
      if (onnx === (k.typescript !== undefined) || (!onnx && (k.contract !== undefined || k.python !== undefined))) {
        ctx.addIssue({ code: 'custom', path: ['kinds', name], message: `kind ${name}: declare either "contract" and "python" (ONNX) or "typescript", not both or neither` });
      } else if (k.contract !== undefined && !(k.contract in r.contracts)) {
        ctx.addIssue({ code: 'custom', path: ['kinds', name, 'contract'], message: `kind ${name}: unknown contract "${k.contract}"` });
      }
    }
  });

export type ModelContract = z.infer<typeof Contract>;

export interface ModelKind {
  readonly kind: string;
  readonly summary: string;
  /** Previous events of the same entity given as context (the ONNX input's C). */
  readonly defaultContext: number;
  /** Whether --context may change the context length. */
  readonly contextual: boolean;
  /**
   * The runtime that scores its bundles: the name of its ONNX contract, or of its TypeScript module (the key of
   * RUNTIMES in src/model/runtime.ts either way).
   */
  readonly runtime: string;
  /** An ONNX kind's contract (model.onnx in, per-field surprisal out); null for a pure TypeScript kind. */
  readonly contract: ModelContract | null;
  /** True for a kind trained by models/train.py and served from model.onnx; false for a pure TypeScript kind. */
  readonly onnx: boolean;
  /**
   * Whether `seqsentry train` fuses the kind with the per-entity memory: `default` unless --no-fusion, `opt-in` only
   * with --fusion, `never` (resolved by `fusesWith`).
   */
  readonly fusion: FusionPolicy;
  /**
   * For a kind whose unit is not one adapter record (zeek-seq: a connection joined by uid), the name of what builds
   * and tokenizes its units (FEATURIZERS in src/kinds/featurizers.ts); null when the unit is the adapter's event.
   */
  readonly featurizer: string | null;
  /** How per-field surprisal becomes the raw score (src/scorer/raw-score.ts, models/raw_score.py). */
  readonly rawScore: RawScoreRule;
}

export type RawScoreRule = 'weighted-mean' | 'max';

/** The file both languages read; from src/model or dist/model it is two folders up. */
export const KINDS_FILE = new URL('../../models/kinds.json', import.meta.url);

/** Parses a kinds.json document; throws naming each bad declaration (its path and what is wrong with it). */
export function parseKinds(json: unknown): z.infer<typeof Registry> {
  const parsed = Registry.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new SeqSentryError(`models/kinds.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}

const registry = parseKinds(JSON.parse(readFileSync(KINDS_FILE, 'utf8')));

export const MODEL_KINDS: Readonly<Record<string, ModelKind>> = Object.freeze(
  Object.fromEntries(
    Object.entries(registry.kinds).map(([kind, k]) => {
      const contract = k.contract !== undefined ? (registry.contracts[k.contract] as ModelContract) : null;
      const runtime = k.contract ?? (k.typescript?.module as string);
      return [kind, Object.freeze({ kind, summary: k.summary, defaultContext: k.default_context, contextual: k.contextual, runtime, contract, onnx: contract !== null, fusion: k.fusion, featurizer: k.featurizer ?? null, rawScore: k.raw_score ?? 'weighted-mean' })];
    }),
  ),
);

export const DEFAULT_KIND = registry.default;

const DEFAULT_BY_FORMAT: Readonly<Record<string, string>> = Object.freeze({ ...registry.default_by_format });

/**
 * The kind `train` trains for a format when --kind is not given: the format's own default where its detection matrix
 * showed another kind better (kinds.json default_by_format: web logins, lstm-lm), else DEFAULT_KIND.
 */
export function defaultKindFor(format: string): string {
  return Object.hasOwn(DEFAULT_BY_FORMAT, format) ? (DEFAULT_BY_FORMAT[format] as string) : DEFAULT_KIND;
}

const SCREEN_BY_FORMAT: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.freeze({ ...registry.screen_by_format });

/**
 * The screen threshold `train` gives a format's bundles of this kind by default (kinds.json screen_by_format: a cascade
 * whose context-free screen scores every event), or undefined for none.
 */
export function defaultScreenFor(format: string, kind: string): number | undefined {
  const kinds = Object.hasOwn(SCREEN_BY_FORMAT, format) ? SCREEN_BY_FORMAT[format] : undefined;
  return kinds && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
}

/** The formats whose bundles of `kind` are a cascade by default, each with its screen threshold: `lanl 0.99, ...`. */
export function screenDefaults(kind: string): string {
  return Object.entries(SCREEN_BY_FORMAT).flatMap(([format, kinds]) => (Object.hasOwn(kinds, kind) ? [`${format} ${kinds[kind]}`] : [])).join(', ');
}

/**
 * Whether a kind is trained with the fusion, given --fusion (true), --no-fusion (false) or neither (undefined).
 * Asking a kind declared `never` for the fusion is refused rather than ignored.
 */
export function fusesWith(kind: ModelKind, requested: boolean | undefined): boolean {
  if (requested === true && kind.fusion === 'never') throw new UsageError(`--fusion: ${kind.kind} is never fused with the per-entity memory (models/kinds.json)`);
  return kind.fusion !== 'never' && (requested ?? kind.fusion === 'default');
}
