// A model kind's runtime: what the scorer hands a kind (each event, its encoded row and its entity's previous rows)
// and what it gets back (per event, the kind's raw score and its explanation). Each runtime owns how it feeds its
// model and decodes its output: the scorer keeps history, batching, fusion and calibration, and does not know the
// kind. Runtimes are found by the `runtime` a kind declares in models/kinds.json: its ONNX contract, or its
// TypeScript module (src/kinds/typescript-kinds.ts).
import type { CanonicalEvent } from '../core/event.js';
import { ModelLoadError } from '../core/errors.js';
import { TYPESCRIPT_RUNTIMES } from '../kinds/typescript-kinds.js';
import { FUSION_STATISTICS, RAW_SCORES } from '../scorer/raw-score.js';
import { MODEL_KINDS } from './kinds.js';
import { hourToken, OOV } from '../tokenizer/vocab.js';
import type { LoadedBundle } from './bundle.js';
import { TokenModel, type OnnxSessionOptions } from './onnx.js';
import { DEFAULT_WINDOW_CACHE, WindowCache, windowKey, type WindowCacheStats } from './window-cache.js';

/** One line of an explanation. */
export interface FieldScore {
  field: string;
  value: string;
  /** nats */
  surprisal: number;
  /** The value the model found most likely for this field (or, for a TypeScript kind, what the source usually writes). */
  expected: string;
}

export interface KindBatch {
  events: readonly CanonicalEvent[];
  /** `rows[b]` is event b's encoded row (its first F entries are token ids; none for a kind without a tokenizer). */
  rows: readonly Int32Array[];
  /** The entity's previous rows, oldest first, at most the bundle's context length. */
  pasts: readonly Int32Array[][];
}

export interface EventScore {
  /** The kind's raw score: higher is more anomalous; calibrated by the bundle's calibration. */
  raw: number;
  /** What a fusion reads as the sequence component: the total surprisal in nats, or the largest (raw-score.ts). */
  total: number;
  /**
   * The explanation, largest share of the raw score first: every field (`full`), or the first only. Built on
   * demand: most events are written with their top field alone, and building every field's line for them was
   * a third of the scoring thread's time.
   */
  explain(full: boolean): FieldScore[];
}

export interface KindRuntime {
  score(batch: KindBatch): Promise<EventScore[]>;
  /**
   * True when each event's score depends on that event alone, never on the rest of its batch: without history the
   * scorer then skips the canonical order. ONNX kinds do not claim it: their outputs were bit-identical in every batch
   * layout on this build (bench/batch-invariance.mjs), but ONNX Runtime promises that for no CPU or version.
   */
  readonly independent?: boolean;
  /** The memo of model outputs by window, when the runtime keeps one (window-cache.ts). */
  readonly cache?: WindowCacheStats;
  release(): Promise<void>;
}

export interface RuntimeOptions extends OnnxSessionOptions {
  /**
   * Windows whose model output is remembered, for a bundle whose model reads no context (default
   * DEFAULT_WINDOW_CACHE; 0: none). With context, windows repeat 0.5-6 % (docs/benchmarks.md): no cache.
   */
  windowCache?: number;
}

export type RuntimeFactory = (loaded: LoadedBundle, options: RuntimeOptions) => Promise<KindRuntime>;

/** The context of a window that has none. */
const NO_PAST: Int32Array[] = [];

/** Index of an int64's low 32-bit word in an Int32Array view: 0 on little-endian machines, 1 on big-endian. */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/** An event's score in its batch: the explanation comes from the batch's (one closure a batch, not one an event). */
class BatchScore implements EventScore {
  constructor(readonly raw: number, readonly total: number, private readonly explainIn: (b: number, full: boolean) => FieldScore[], private readonly b: number) {}

  explain(full: boolean): FieldScore[] {
    return this.explainIn(this.b, full);
  }
}

/** `field-tokens`: int64 ids (B, context + 1, F), the previous events left-padded with zero rows, then the event. */
const fieldTokens: RuntimeFactory = async (loaded, options) => {
  const { bundle } = loaded;
  const { tokenizer, onnx } = bundle;
  const weights = bundle.field_weights;
  // loadBundle has checked that an ONNX kind's bundle has all three.
  if (!tokenizer || !onnx || !weights) throw new ModelLoadError(loaded.dir, `kind ${bundle.kind}: bundle has no tokenizer, onnx or field_weights`);
  const model = await TokenModel.open(loaded.dir, loaded.modelBytes, onnx.inputs, onnx.outputs, options);
  // Per model field, the words by id (what the model expected is decoded from them).
  const vocab = tokenizer.fields.map((f) => tokenizer.vocab[f] as string[]);
  const T = bundle.context_length + 1;
  const F = tokenizer.fields.length;
  const shares = new Float64Array(F);
  const rule = MODEL_KINDS[bundle.kind]?.rawScore ?? 'weighted-mean';
  const rawScore = RAW_SCORES[rule];
  const fusionStatistic = FUSION_STATISTICS[rule];
  /** The model's (B, F) outputs for the windows: each row after its past, left-padded with zero rows. */
  const run = (rows: readonly Int32Array[], pasts: readonly Int32Array[][]) => {
    const B = rows.length;
    const tokens = new BigInt64Array(B * T * F); // (B, T, F), zero rows = padding
    // Ids are small and non-negative: write each int64 as its low 32-bit word, no BigInt per token.
    const words = new Int32Array(tokens.buffer);
    for (let b = 0; b < B; b++) {
      const past = pasts[b] as Int32Array[];
      const base = b * T * F;
      // Left-pad: the newest past event sits right before the target row.
      const firstRow = T - 1 - past.length;
      for (let i = 0; i < past.length; i++) {
        const r = past[i] as Int32Array;
        const at = 2 * (base + (firstRow + i) * F) + LOW_WORD;
        for (let f = 0; f < F; f++) words[at + 2 * f] = r[f] as number;
      }
      const row = rows[b] as Int32Array;
      for (let f = 0; f < F; f++) words[2 * (base + (T - 1) * F + f) + LOW_WORD] = row[f] as number;
    }
    return model.run(tokens, B, T, F);
  };
  const entries = options.windowCache ?? DEFAULT_WINDOW_CACHE;
  const cache = T === 1 && entries > 0 ? new WindowCache(entries, F) : null;
  /**
   * Through the cache: remembered windows are copied, the others (each distinct window once, in batch order) go
   * to the model in one call, and their outputs are remembered.
   */
  const runCached = async (memo: WindowCache, rows: readonly Int32Array[]): Promise<{ surprisal: Float32Array; expected: Int32Array }> => {
    const B = rows.length;
    const surprisal = new Float32Array(B * F);
    const expected = new Int32Array(B * F);
    const missKeys: string[] = [];
    const missRows: Int32Array[] = [];
    const sent = new Map<string, number>(); // a missing window's place in the call
    const missOf = new Int32Array(B).fill(-1);
    for (let b = 0; b < B; b++) {
      const key = windowKey(rows[b] as Int32Array, F);
      if (memo.read(key, surprisal, expected, b * F)) continue;
      let m = sent.get(key);
      if (m === undefined) {
        m = missRows.length;
        sent.set(key, m);
        missKeys.push(key);
        missRows.push(rows[b] as Int32Array);
      }
      missOf[b] = m;
    }
    memo.misses += missRows.length;
    memo.hits += B - missRows.length;
    if (missRows.length === 0) return { surprisal, expected };
    const out = await run(missRows, missRows.map(() => NO_PAST));
    // The expected ids as ints, each int64's low word: ids are small and non-negative (as run() writes them), and a
    // BigInt read per id made an object per id.
    const words = new Int32Array(out.expected.buffer, out.expected.byteOffset, 2 * out.expected.length);
    const missIds = new Int32Array(out.expected.length);
    for (let k = 0; k < missIds.length; k++) missIds[k] = words[2 * k + LOW_WORD] as number;
    for (let m = 0; m < missKeys.length; m++) memo.write(missKeys[m] as string, out.surprisal, missIds, m * F);
    for (let b = 0; b < B; b++) {
      const m = missOf[b] as number;
      if (m < 0) continue;
      for (let f = 0; f < F; f++) {
        surprisal[b * F + f] = out.surprisal[m * F + f] as number;
        expected[b * F + f] = missIds[m * F + f] as number;
      }
    }
    return { surprisal, expected };
  };
  return {
    ...(cache ? { cache } : {}),
    async score({ events, rows, pasts }) {
      const B = rows.length;
      const { surprisal, expected } = cache?.worthKeeping() ? await runCached(cache, rows) : await run(rows, pasts); // (B, F) each
      const out: EventScore[] = new Array(B);
      const fieldScore = (b: number, f: number): FieldScore => {
        const event = events[b] as CanonicalEvent;
        // The event's own value for model field f (the hour token is derived from time).
        const value = f < event.fields.length ? (event.fields[f] as string) : hourToken(event.time);
        return { field: tokenizer.fields[f] as string, value, surprisal: surprisal[b * F + f] as number, expected: (vocab[f] as string[])[Number(expected[b * F + f])] ?? OOV };
      };
      const explain = (b: number, full: boolean): FieldScore[] => {
        // Explanation order = each field's share of the raw score, largest first (a stable sort: ties keep field order).
        for (let f = 0; f < F; f++) shares[f] = (surprisal[b * F + f] as number) * (weights[f] as number);
        if (full) return Array.from({ length: F }, (_, f) => f).sort((x, y) => (shares[y] as number) - (shares[x] as number)).map((f) => fieldScore(b, f));
        let top = 0;
        for (let f = 1; f < F; f++) if ((shares[f] as number) > (shares[top] as number)) top = f;
        return F > 0 ? [fieldScore(b, top)] : [];
      };
      for (let b = 0; b < B; b++) out[b] = new BatchScore(rawScore(surprisal, b * F, weights), fusionStatistic(surprisal, b * F, F), explain, b);
      return out;
    },
    release: () => model.release(),
  };
};

export const RUNTIMES: Readonly<Record<string, RuntimeFactory>> = Object.freeze({ [TokenModel.CONTRACT]: fieldTokens, ...TYPESCRIPT_RUNTIMES });
