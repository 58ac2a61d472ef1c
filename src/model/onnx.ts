// The only importer of onnxruntime-node: opens a session, checks its inputs/outputs, runs int64 token batches.
import * as ort from 'onnxruntime-node';
import { ModelLoadError } from '../core/errors.js';

export interface OnnxSessionOptions {
  /** Threads for one inference call (default: all cores, 2 here). */
  intraOpThreads?: number;
  /**
   * Let idle intra-op threads spin-wait for the next call (default false). Spinning buys a little latency on an
   * idle machine but burns CPU that OpenSearch or the shipper next to the sidecar needs.
   */
  allowSpinning?: boolean;
}

export interface TokenModelOutput {
  /** (B, F) nats */
  surprisal: Float32Array;
  /** (B, F) ids */
  expected: BigInt64Array;
}

export class TokenModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  static async open(modelDir: string, bytes: Uint8Array, inputs: readonly string[], outputs: readonly string[], options: OnnxSessionOptions = {}): Promise<TokenModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
        ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
        interOpNumThreads: 1,
        extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
      });
    } catch (err) {
      throw new ModelLoadError(modelDir, `ONNX Runtime cannot open the model: ${(err as Error).message}`, { cause: err });
    }
    // Report every mismatch at once rather than failing on the first.
    const problems: string[] = [];
    for (const name of inputs) if (!session.inputNames.includes(name)) problems.push(`missing input "${name}"`);
    for (const name of session.inputNames) if (!inputs.includes(name)) problems.push(`unexpected input "${name}"`);
    for (const name of outputs) if (!session.outputNames.includes(name)) problems.push(`missing output "${name}"`);
    if (problems.length) {
      await session.release();
      throw new ModelLoadError(modelDir, `ONNX session does not match bundle.json (session inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')}): ${problems.join('; ')}`);
    }
    return new TokenModel(session, session.inputNames, session.outputNames);
  }

  /** tokens: (B, T, F) int64 ids, row-major. */
  async run(tokens: BigInt64Array, batch: number, rows: number, width: number): Promise<TokenModelOutput> {
    const feeds = { tokens: new ort.Tensor('int64', tokens, [batch, rows, width]) };
    const out = await this.session.run(feeds);
    const surprisal = out.surprisal?.data;
    const expected = out.expected?.data;
    if (!(surprisal instanceof Float32Array) || !(expected instanceof BigInt64Array)) {
      throw new ModelLoadError('(session)', 'model outputs are not float32 surprisal and int64 expected');
    }
    return { surprisal, expected };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
