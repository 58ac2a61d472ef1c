// The model kinds, declared once in models/kinds.json (models/registry.py reads the same file): each kind's ONNX
// contract, context and summary. The scorer feeds a kind through its contract's runtime.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Tensor = z.object({ name: z.string().min(1), dtype: z.enum(['int64', 'float32']), dims: z.array(z.string()).min(1) }).strict();
const Contract = z.object({ summary: z.string(), inputs: z.array(Tensor).min(1), outputs: z.array(Tensor).min(1) }).strict();
const Kind = z
  .object({
    summary: z.string(),
    contract: z.string(),
    default_context: z.number().int().min(0),
    contextual: z.boolean(),
    fusion: z.boolean(),
    python: z.object({ module: z.string(), model: z.string(), config: z.string() }).strict(),
  })
  .strict();
const Registry = z
  .object({ _comment: z.string().optional(), default: z.string(), contracts: z.record(z.string(), Contract), kinds: z.record(z.string(), Kind) })
  .strict()
  .superRefine((r, ctx) => {
    if (!(r.default in r.kinds)) ctx.addIssue({ code: 'custom', message: `default kind "${r.default}" is not declared` });
    for (const [name, k] of Object.entries(r.kinds)) if (!(k.contract in r.contracts)) ctx.addIssue({ code: 'custom', message: `kind ${name}: unknown contract "${k.contract}"` });
  });

export type ModelContract = z.infer<typeof Contract>;

export interface ModelKind {
  readonly kind: string;
  readonly summary: string;
  /** Previous events of the same entity given as context (the ONNX input's C). */
  readonly defaultContext: number;
  /** Whether --context may change the context length. */
  readonly contextual: boolean;
  /** Whether `seqsentry train` fuses the kind with the per-entity memory when --no-fusion is not given. */
  readonly fusion: boolean;
  /** The name of its ONNX contract, and the contract. */
  readonly contractName: string;
  readonly contract: ModelContract;
}

/** The file both languages read; from src/model or dist/model it is two folders up. */
export const KINDS_FILE = new URL('../../models/kinds.json', import.meta.url);

const registry = Registry.parse(JSON.parse(readFileSync(KINDS_FILE, 'utf8')));

export const MODEL_KINDS: Readonly<Record<string, ModelKind>> = Object.freeze(
  Object.fromEntries(
    Object.entries(registry.kinds).map(([kind, k]) => [
      kind,
      Object.freeze({ kind, summary: k.summary, defaultContext: k.default_context, contextual: k.contextual, fusion: k.fusion, contractName: k.contract, contract: registry.contracts[k.contract] as ModelContract }),
    ]),
  ),
);

export const DEFAULT_KIND = registry.default;
