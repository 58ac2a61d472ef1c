// The model bundle manifest (bundle.json): parsed once with zod where it enters, then verified against its model file
// (an ONNX kind's model.onnx, a pure TypeScript kind's parameters file).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelLoadError } from '../core/errors.js';
import { MEMORY_SCHEMA_VERSION, type MemoryFile } from '../memory/memory-spec.js';
import { MODEL_KINDS, type ModelKind } from './kinds.js';
import { TextTokensSchema, type TextTokens } from '../tokenizer/text-tokens.js';
import { openTextTokens } from '../tokenizer/text-modes.js';

/**
 * 3: optional fusion of the sequence model with the per-entity memory (memory.json), fitted by `seqsentry train`.
 * 4: the fusion's pairs are one component (the rarity rule's sum), its memory tails fitted leave-one-out.
 * 5: `novelty` backs a new partner off to its popularity (the tails of v4 were fitted on another statistic).
 * 6: optional `screen`, a context-free bundle in a folder of this one that scores every event first (a v5 bundle, which
 *    has none, reads as before).
 */
export const BUNDLE_SCHEMA_VERSION = 6;
/** Earlier versions this one reads unchanged. */
const READABLE_VERSIONS = [5, BUNDLE_SCHEMA_VERSION] as const;
/** The most recent events a fused bundle may recall per event (each is one more history row per entity). */
export const MAX_RECALL = 256;

const TokenizerSchema = z.object({
  fields: z.array(z.string()).min(1),
  hour_token: z.boolean(),
  min_count: z.number().int().min(1),
  vocab: z.record(z.string(), z.array(z.string()).min(2)),
});

/** A fusion component's tail table (src/memory/tail.ts TailTableData). */
export const TailSchema = z.object({
  values: z.array(z.number()).min(1),
  log_survival: z.array(z.number().max(0)).min(1),
  tail_scale: z.number().positive(),
  n: z.number().int().positive(),
  /** The lowest ln P beyond the largest held-out value (a bounded tail); absent = unbounded, as before bounds existed. */
  floor: z.number().max(0).optional(),
}).refine((t) => t.values.length === t.log_survival.length, { message: 'values and log_survival differ in length' });

const BundleSchema = z.object({
  schema_version: z.union([z.literal(READABLE_VERSIONS[0]), z.literal(READABLE_VERSIONS[1])]),
  kind: z.string().refine((k) => k in MODEL_KINDS, { message: `unknown kind (known: ${Object.keys(MODEL_KINDS).join(', ')})` }),
  name: z.string(),
  version: z.string(),
  created_at: z.string().optional(),
  format: z.string(),
  adapter_options: z.record(z.string(), z.unknown()).default({}),
  entity_key: z.string(),
  context_length: z.number().int().min(0),
  /** An ONNX kind's: its model fields and their vocabularies. */
  tokenizer: TokenizerSchema.optional(),
  /** When the model reads free-text fields as pieces: how they were cut, and the tokenizer file (src/tokenizer/text-tokens.ts). */
  text_tokens: TextTokensSchema.optional(),
  /** An ONNX kind's model file. */
  onnx: z.object({
    file: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    inputs: z.array(z.string()),
    outputs: z.array(z.string()),
    opset: z.number().int().optional(),
  }).optional(),
  /** A pure TypeScript kind's fitted parameters (JSON), read by its runtime. */
  parameters: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  /** An ONNX kind's, per model field in tokenizer.fields order: the raw score's weights (src/scorer/raw-score.ts). */
  field_weights: z.array(z.number().positive()).optional(),
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
      tail: TailSchema,
    })).min(1),
    memory_file: z.string(),
    memory_sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Recent events of the entity the memory's statistics also count (src/memory/entity-memory.ts). */
    recall: z.number().int().min(0).max(MAX_RECALL).optional(),
    /** Seconds a recalled event must precede the scored one to count (the format's Adapter.recallMinAge). */
    recall_min_age: z.number().min(0).optional(),
    /** Seconds a recalled event must precede the scored one to count in the habits too (src/memory/fusion.ts); absent = none. */
    habit_recall_min_age: z.number().min(0).optional(),
    new_member_habit_min_age: z.number().min(0).optional(),
    /** Per-event statistics of the kind's featurizer fused after the memory's components (src/memory/fusion.ts). */
    statistics: z.array(z.string().min(1)).optional(),
  }).optional(),
  threshold: z.number().min(0).max(1),
  /** A featurized kind's per-record tokenizer (src/kinds/zeek-seq/record-token.ts): its name and parameters file. */
  record_tokenizer: z.object({ name: z.string().min(1), file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict().optional(),
  /** A fused zeek-seq bundle's record novelty counts (src/kinds/zeek-seq/record-novelty.ts): its file. */
  record_novelty: z.object({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict().optional(),
  /**
   * A cascade: the bundle in folder `dir` (context 0, same tokenizer, memory and recall as this one) scores every event;
   * where its anomaly_score reaches `threshold`, this bundle's model scores the event again with its context and its
   * score replaces the screen's (both are tail probabilities against held-out normal events, so the scales meet).
   */
  screen: z.object({
    dir: z.string().regex(/^[\w.-]+$/).refine((d) => d !== '.' && d !== '..', { message: 'a folder inside the bundle' }),
    threshold: z.number().gt(0).lt(1),
    /**
     * sha256 of the screen's bundle.json (which pins its model's): a bundle published over an older one with its
     * screen folder left behind is refused, not served as a mix of the two. Absent in bundles trained before it.
     */
    bundle_sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  }).strict().optional(),
  /** The expected share of anomalous units in normal traffic the threshold was set from (threshold = 1 - rate). */
  acceptance_rate: z.number().gt(0).lt(1).optional(),
  training: z.record(z.string(), z.unknown()).default({}),
  metrics: z.record(z.string(), z.unknown()).default({}),
});

export type Bundle = z.infer<typeof BundleSchema>;

export interface LoadedBundle {
  dir: string;
  bundle: Bundle;
  /** The kind's model file: model.onnx for an ONNX kind, the parameters file for a pure TypeScript kind. */
  modelPath: string;
  modelBytes: Buffer;
  /** The fusion's per-entity memory, when the bundle has a fusion. */
  memory?: MemoryFile;
  /** The text fields' piecer, when the bundle reads free text as pieces. */
  textTokens?: TextTokens;
  /** The cascade's context-free bundle (bundle.screen), which shares this one's memory. */
  screen?: LoadedBundle;
}

const MemorySpecSchema = z.object({
  pairs: z.array(z.object({
    name: z.string(),
    members: z.tuple([MemberSchema(), MemberSchema()]),
  })),
  hour_entity: z.string().nullable(),
  hour_pair: z.string().optional(),
  travel_pair: z.string().optional(),
  travel_within: z.number().positive().optional(),
  travel_outcome: z.object({ field: z.string(), index: z.number().int().min(0), success: z.string() }).strict().optional(),
});

function MemberSchema() {
  return z.union([z.object({ entity: z.string() }).strict(), z.object({ field: z.string(), index: z.number().int().min(0) }).strict()]);
}

/** A file of the bundle, read and checked against the sha256 bundle.json records for it; `what` names it in errors. */
export async function readBundleFile(dir: string, what: string, file: string, sha256: string): Promise<Buffer> {
  const path = join(dir, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelLoadError(dir, `cannot read ${what} file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== sha256) throw new ModelLoadError(dir, `sha256 of ${file} is ${sha}, bundle.json says ${sha256}: the ${what} file was changed or truncated`);
  return bytes;
}

/** memory.json: the spec is parsed with zod; the (large) count arrays are checked by shape only. */
async function loadMemory(dir: string, file: string, sha256: string): Promise<MemoryFile> {
  const bytes = await readBundleFile(dir, 'memory', file, sha256);
  const json = JSON.parse(bytes.toString('utf8')) as MemoryFile;
  const spec = MemorySpecSchema.safeParse(json?.spec);
  if (json?.schema_version !== MEMORY_SCHEMA_VERSION || !spec.success || !Array.isArray(json.pair_counts) || json.pair_counts.length !== spec.data.pairs.length || !Array.isArray(json.hours)) {
    throw new ModelLoadError(dir, `${file} is not a v${MEMORY_SCHEMA_VERSION} memory file with one pair table per pair of its spec`);
  }
  return json;
}

/** An ONNX kind's bundle: a tokenizer with every field's vocabulary, weights per field, the contract's tensor names. */
function checkOnnxBundle(dir: string, bundle: Bundle, contract: NonNullable<ModelKind['contract']>): { file: string; sha256: string } {
  const { tokenizer, onnx, field_weights: weights } = bundle;
  if (!tokenizer || !onnx || !weights) {
    const missing = [!tokenizer && 'tokenizer', !onnx && 'onnx', !weights && 'field_weights'].filter(Boolean).join(', ');
    throw new ModelLoadError(dir, `bundle.json of ONNX kind ${bundle.kind} has no ${missing}`);
  }
  const missingVocab = tokenizer.fields.filter((f) => !tokenizer.vocab[f]);
  if (missingVocab.length) throw new ModelLoadError(dir, `tokenizer has no vocabulary for field(s) ${missingVocab.join(', ')}`);
  if (weights.length !== tokenizer.fields.length) {
    throw new ModelLoadError(dir, `field_weights has ${weights.length} entries for ${tokenizer.fields.length} model fields`);
  }
  const names = (tensors: typeof contract.inputs) => tensors.map((t) => t.name).join(', ');
  if (onnx.inputs.join(', ') !== names(contract.inputs) || onnx.outputs.join(', ') !== names(contract.outputs)) {
    throw new ModelLoadError(dir, `onnx inputs (${onnx.inputs.join(', ')}) and outputs (${onnx.outputs.join(', ')}) are not those of kind ${bundle.kind}'s contract (models/kinds.json: ${names(contract.inputs)}; ${names(contract.outputs)})`);
  }
  return onnx;
}

/** A pure TypeScript kind's bundle: a parameters file and no ONNX (a fusion needs a sequence model's surprisal). */
function checkTypeScriptBundle(dir: string, bundle: Bundle): { file: string; sha256: string } {
  if (!bundle.parameters) throw new ModelLoadError(dir, `bundle.json of kind ${bundle.kind} (pure TypeScript) has no parameters file`);
  const extra = [bundle.onnx && 'onnx', bundle.fusion && 'fusion'].filter(Boolean);
  if (extra.length) throw new ModelLoadError(dir, `bundle.json of kind ${bundle.kind} (pure TypeScript, no ONNX) has ${extra.join(' and ')}`);
  return bundle.parameters;
}

/**
 * The cascade's screen, checked against its bundle: it must read no context and encode, remember and recall events
 * exactly as the bundle does, so that one history row per event and one memory serve both models.
 */
async function loadScreen(outer: LoadedBundle, screen: NonNullable<Bundle['screen']>): Promise<LoadedBundle> {
  const dir = join(outer.dir, screen.dir);
  if (screen.bundle_sha256) await readBundleFile(outer.dir, 'screen bundle', join(screen.dir, 'bundle.json'), screen.bundle_sha256);
  const inner = await loadBundle(dir, outer.memory && outer.bundle.fusion ? { memory: outer.memory, sha256: outer.bundle.fusion.memory_sha256 } : undefined);
  const a = outer.bundle;
  const b = inner.bundle;
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const fusionKeys = (f: Bundle['fusion']) => f && { memory_sha256: f.memory_sha256, recall: f.recall, recall_min_age: f.recall_min_age, habit_recall_min_age: f.habit_recall_min_age, new_member_habit_min_age: f.new_member_habit_min_age, statistics: f.statistics, names: f.components.map((c) => c.name) };
  const problem = b.context_length !== 0 ? `its context_length is ${b.context_length}, a screen reads none`
    : b.screen ? 'it has a screen of its own'
    : b.format !== a.format || b.entity_key !== a.entity_key ? `its format and entity (${b.format}, ${b.entity_key}) are not the bundle's (${a.format}, ${a.entity_key})`
    : !same(b.tokenizer, a.tokenizer) ? 'its tokenizer (fields, hour token or vocabularies) is not the bundle\'s'
    : !same(b.adapter_options, a.adapter_options) || !same(b.text_tokens, a.text_tokens) || !same(b.record_tokenizer, a.record_tokenizer) ? 'it reads events with other adapter options or tokenizers'
    : !same(fusionKeys(b.fusion), fusionKeys(a.fusion)) ? 'its fusion does not share the bundle\'s memory, recall and components'
    : null;
  if (problem) throw new ModelLoadError(outer.dir, `screen ${screen.dir}: ${problem}`);
  return inner;
}

/**
 * Reads bundle.json and the kind's model file; checks schema, vocabularies and the sha256 in one place. `shared`: a
 * memory already read (a cascade's bundle's, for its screen), used when the bundle's fusion names it by its sha256.
 */
export async function loadBundle(dir: string, shared?: { memory: MemoryFile; sha256: string }): Promise<LoadedBundle> {
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
    const retrain = typeof version === 'number' && !(READABLE_VERSIONS as readonly number[]).includes(version) ? ` (it was written for schema v${version}: retrain with this version of seqsentry train)` : '';
    throw new ModelLoadError(dir, `bundle.json does not match schema v${BUNDLE_SCHEMA_VERSION}${retrain}: ${problems}`);
  }
  const bundle = parsed.data;
  const { contract } = MODEL_KINDS[bundle.kind] as ModelKind;
  const file = contract ? checkOnnxBundle(dir, bundle, contract) : checkTypeScriptBundle(dir, bundle);
  if (bundle.calibration.levels.length !== bundle.calibration.values.length) {
    throw new ModelLoadError(dir, `calibration levels (${bundle.calibration.levels.length}) and values (${bundle.calibration.values.length}) differ in length`);
  }
  const modelPath = join(dir, file.file);
  let modelBytes: Buffer;
  try {
    modelBytes = await readFile(modelPath);
  } catch (err) {
    throw new ModelLoadError(dir, `cannot read ${contract ? 'ONNX' : 'parameters'} file ${modelPath}: ${(err as Error).message}`, { cause: err });
  }
  const sha = createHash('sha256').update(modelBytes).digest('hex');
  if (sha !== file.sha256) {
    throw new ModelLoadError(dir, `sha256 of ${file.file} is ${sha}, bundle.json says ${file.sha256}: the model file was changed or truncated`);
  }
  const textTokens = bundle.text_tokens ? { textTokens: await openTextTokens(bundle.text_tokens, dir) } : {};
  const loaded: LoadedBundle = { dir, bundle, modelPath, modelBytes, ...textTokens };
  if (bundle.fusion) {
    loaded.memory = shared && shared.sha256 === bundle.fusion.memory_sha256 ? shared.memory : await loadMemory(dir, bundle.fusion.memory_file, bundle.fusion.memory_sha256);
  }
  if (bundle.screen) loaded.screen = await loadScreen(loaded, bundle.screen);
  return loaded;
}
