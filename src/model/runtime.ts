// A model kind's runtime: what the scorer hands a kind (each event's encoded row and its entity's previous rows) and
// what it gets back (per field, the surprisal in nats and the id the model expected). Each runtime owns how it
// feeds its model: the scorer keeps history, batching, calibration and explanation, and does not know the kind.
// Runtimes are found by the contract a kind names in models/kinds.json.
import type { LoadedBundle } from './bundle.js';
import { TokenModel, type OnnxSessionOptions } from './onnx.js';

export interface KindOutput {
  /** (B, F) nats, row-major. */
  surprisal: Float32Array;
  /** (B, F) the id each field's model expected, row-major. */
  expected: BigInt64Array;
}

export interface KindRuntime {
  /**
   * Scores B events: `rows[b]` is event b's encoded row (its first F entries are token ids), `pasts[b]` the
   * entity's previous rows, oldest first, at most the bundle's context length.
   */
  score(rows: readonly Int32Array[], pasts: readonly Int32Array[][]): Promise<KindOutput>;
  release(): Promise<void>;
}

export type RuntimeFactory = (loaded: LoadedBundle, options: OnnxSessionOptions) => Promise<KindRuntime>;

/** Index of an int64's low 32-bit word in an Int32Array view: 0 on little-endian machines, 1 on big-endian. */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/** `field-tokens`: int64 ids (B, context + 1, F), the previous events left-padded with zero rows, then the event. */
const fieldTokens: RuntimeFactory = async (loaded, options) => {
  const { bundle } = loaded;
  const model = await TokenModel.open(loaded.dir, loaded.onnxBytes, bundle.onnx.inputs, bundle.onnx.outputs, options);
  const T = bundle.context_length + 1;
  const F = bundle.tokenizer.fields.length;
  return {
    async score(rows, pasts) {
      const B = rows.length;
      const tokens = new BigInt64Array(B * T * F); // (B, T, F), zero rows = padding
      // Ids are small and non-negative: write each int64 as its low 32-bit word, no BigInt per token.
      const words = new Int32Array(tokens.buffer);
      for (let b = 0; b < B; b++) {
        const past = pasts[b] as Int32Array[];
        const base = b * T * F;
        // Left-pad: the newest past event sits right before the target row.
        const firstRow = T - 1 - past.length;
        past.forEach((r, i) => {
          for (let f = 0; f < F; f++) words[2 * (base + (firstRow + i) * F + f) + LOW_WORD] = r[f] as number;
        });
        const row = rows[b] as Int32Array;
        for (let f = 0; f < F; f++) words[2 * (base + (T - 1) * F + f) + LOW_WORD] = row[f] as number;
      }
      return model.run(tokens, B, T, F);
    },
    release: () => model.release(),
  };
};

export const RUNTIMES: Readonly<Record<string, RuntimeFactory>> = Object.freeze({ [TokenModel.CONTRACT]: fieldTokens });
