// The model bundle manifest (bundle.json): parsed once with zod where it enters, then verified against its ONNX file.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelLoadError } from '../core/errors.js';
import { MEMORY_SCHEMA_VERSION, type MemoryFile } from '../memory/entity-memory.js';
import { MODEL_KINDS, type ModelKind } from './kinds.js';

/**
 * 3: optional fusion of the sequence model with the per-entity memory (memory.json), fitted by `seqsentry train`.
 * 4: the fusion's pairs are one component (the rarity rule's sum), its memory tails fitted leave-one-out.
 * 5: `novelty` backs a new partner off to its popularity (the tails of v4 were fitted on another statistic).
 */
export const BUNDLE_SCHEMA_VERSION = 5;
/** The most recent events a fused bundle may recall per event (each is one more history row per entity). */
export const MAX_RECALL = 256;

const TokenizerSchema = z.object({
  fields: z.array(z.string()).min(1),
  hour_token: z.boolean(),
  min_count: z.number().int().min(1),
  vocab: z.record(z.string(), z.array(z.string()).min(2)),
});

const BundleSchema = z.object({
  schema_version: z.literal(BUNDLE_SCHEMA_VERSION),
  kind: z.string().refine((k) => k in MODEL_KINDS, { message: `unknown kind (known: ${Object.keys(MODEL_KINDS).join(', ')})` }),
  name: z.string(),
  version: z.string(),
  created_at: z.string().optional(),
  format: z.string(),
  adapter_options: z.record(z.string(), z.unknown()).default({}),
  entity_key: z.string(),
  context_length: z.number().int().min(0),
  tokenizer: TokenizerSchema,
  onnx: z.object({
    file: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    inputs: z.array(z.string()),
    outputs: z.array(z.string()),
    opset: z.number().int().optional(),
  }),
  /** Per model field, in tokenizer.fields order: the raw score's weights (src/scorer/raw-score.ts). */
  field_weights: z.array(z.number().positive()),
  calibration: z.object({
    levels: z.array(z.number()).min(2),
    values: z.array(z.number()).min(2),
    tail_scale: z.number().positive(),
    n: z.number().int().positive(),
  }),
  /**
   * When present, raw = sum over components (the sequence model's total surprisal, the memory's pair and hour
   * statistics) of -ln P(statistic >= x) under held-out normal events, and calibration ranks that raw score.
   */
  fusion: z.object({
    components: z.array(z.object({
      name: z.string(),
      tail: z.object({
        values: z.array(z.number()).min(1),
        log_survival: z.array(z.number().max(0)).min(1),
        tail_scale: z.number().positive(),
        n: z.number().int().positive(),
      }).refine((t) => t.values.length === t.log_survival.length, { message: 'values and log_survival differ in length' }),
    })).min(1),
    memory_file: z.string(),
    memory_sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Recent events of the entity the memory's statistics also count (src/memory/entity-memory.ts). */
    recall: z.number().int().min(0).max(MAX_RECALL).optional(),
  }).optional(),
  threshold: z.number().min(0).max(1),
  training: z.record(z.string(), z.unknown()).default({}),
  metrics: z.record(z.string(), z.unknown()).default({}),
});

export type Bundle = z.infer<typeof BundleSchema>;

export interface LoadedBundle {
  dir: string;
  bundle: Bundle;
  onnxPath: string;
  onnxBytes: Buffer;
  /** The fusion's per-entity memory, when the bundle has a fusion. */
  memory?: MemoryFile;
}

const MemorySpecSchema = z.object({
  pairs: z.array(z.object({
    name: z.string(),
    members: z.tuple([MemberSchema(), MemberSchema()]),
  })),
  hour_entity: z.string().nullable(),
});

function MemberSchema() {
  return z.union([z.object({ entity: z.string() }).strict(), z.object({ field: z.string(), index: z.number().int().min(0) }).strict()]);
}

/** memory.json: the spec is parsed with zod; the (large) count arrays are checked by shape only. */
async function loadMemory(dir: string, file: string, sha256: string): Promise<MemoryFile> {
  const path = join(dir, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelLoadError(dir, `cannot read memory file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== sha256) throw new ModelLoadError(dir, `sha256 of ${file} is ${sha}, bundle.json says ${sha256}: the memory file was changed or truncated`);
  const json = JSON.parse(bytes.toString('utf8')) as MemoryFile;
  const spec = MemorySpecSchema.safeParse(json?.spec);
  if (json?.schema_version !== MEMORY_SCHEMA_VERSION || !spec.success || !Array.isArray(json.pair_counts) || json.pair_counts.length !== spec.data.pairs.length || !Array.isArray(json.hours)) {
    throw new ModelLoadError(dir, `${file} is not a v${MEMORY_SCHEMA_VERSION} memory file with one pair table per pair of its spec`);
  }
  return json;
}

/** Reads bundle.json and the ONNX file; checks schema, vocabularies and the sha256 in one place. */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const manifestPath = join(dir, 'bundle.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(dir, `cannot read ${manifestPath}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = BundleSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    const version = (json as { schema_version?: unknown } | null)?.schema_version;
    const retrain = typeof version === 'number' && version !== BUNDLE_SCHEMA_VERSION ? ` (it was written for schema v${version}: retrain with this version of seqsentry train)` : '';
    throw new ModelLoadError(dir, `bundle.json does not match schema v${BUNDLE_SCHEMA_VERSION}${retrain}: ${problems}`);
  }
  const bundle = parsed.data;
  const missingVocab = bundle.tokenizer.fields.filter((f) => !bundle.tokenizer.vocab[f]);
  if (missingVocab.length) throw new ModelLoadError(dir, `tokenizer has no vocabulary for field(s) ${missingVocab.join(', ')}`);
  if (bundle.field_weights.length !== bundle.tokenizer.fields.length) {
    throw new ModelLoadError(dir, `field_weights has ${bundle.field_weights.length} entries for ${bundle.tokenizer.fields.length} model fields`);
  }
  const contract = (MODEL_KINDS[bundle.kind] as ModelKind).contract;
  const names = (tensors: ModelKind['contract']['inputs']) => tensors.map((t) => t.name).join(', ');
  if (bundle.onnx.inputs.join(', ') !== names(contract.inputs) || bundle.onnx.outputs.join(', ') !== names(contract.outputs)) {
    throw new ModelLoadError(dir, `onnx inputs (${bundle.onnx.inputs.join(', ')}) and outputs (${bundle.onnx.outputs.join(', ')}) are not those of kind ${bundle.kind}'s contract (models/kinds.json: ${names(contract.inputs)}; ${names(contract.outputs)})`);
  }
  if (bundle.calibration.levels.length !== bundle.calibration.values.length) {
    throw new ModelLoadError(dir, `calibration levels (${bundle.calibration.levels.length}) and values (${bundle.calibration.values.length}) differ in length`);
  }
  const onnxPath = join(dir, bundle.onnx.file);
  let onnxBytes: Buffer;
  try {
    onnxBytes = await readFile(onnxPath);
  } catch (err) {
    throw new ModelLoadError(dir, `cannot read ONNX file ${onnxPath}: ${(err as Error).message}`, { cause: err });
  }
  const sha = createHash('sha256').update(onnxBytes).digest('hex');
  if (sha !== bundle.onnx.sha256) {
    throw new ModelLoadError(dir, `sha256 of ${bundle.onnx.file} is ${sha}, bundle.json says ${bundle.onnx.sha256}: the model file was changed or truncated`);
  }
  if (!bundle.fusion) return { dir, bundle, onnxPath, onnxBytes };
  const memory = await loadMemory(dir, bundle.fusion.memory_file, bundle.fusion.memory_sha256);
  return { dir, bundle, onnxPath, onnxBytes, memory };
}
