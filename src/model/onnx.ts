// The only owner of onnxruntime-node. Each model has a session in a worker thread of its own, so that a large
// inference call never blocks the event loop that parses, answers health checks and forwards bulks, and a second
// session on the event loop's thread for the smallest calls, which take less time than the hop to the worker, on one
// intra-op thread (INLINE_THREADS).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { ModelLoadError } from '../core/errors.js';

export interface OnnxSessionOptions {
  /** Threads for one inference call in the worker (default: ONNX Runtime's own choice, all cores); the event loop's session runs on one. */
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

interface WorkerInit {
  ortPath: string;
  bytes: Uint8Array;
  sessionOptions: ort.InferenceSession.SessionOptions;
}

/**
 * Calls of at most this many events run on the event loop's thread: a message round trip to the worker costs
 * about 0.1-0.2 ms on a small VM, more than scoring a few events does, and a call this small blocks the loop for
 * well under a millisecond. One-document calls (the ML Commons path, /v1/score) are the common case, and 16 is what
 * 16 concurrent clients of /v1/risk send together: in-process on the lstm-ae bench bundle, 9 events cost 210-300 µs
 * of CPU per call here against 370-1,160 through the worker, 16 events 340-450 against 450-960 (at load 9).
 */
const INLINE_MAX_EVENTS = 16;

/**
 * Intra-op threads of the event loop's session. A call of a few events gives each operator too little work to split:
 * a second thread only adds its wake-ups, per operator. Measured on the ECS bench bundles (`bench/onnx-threads.mjs`),
 * one thread against two took half the CPU per call at 1, 4 and 16 events, and less wall time as well.
 */
const INLINE_THREADS = 1;

function sessionOptions(options: OnnxSessionOptions): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
  };
}

function checkOutputs(out: ort.InferenceSession.OnnxValueMapType): TokenModelOutput {
  const surprisal = out.surprisal?.data;
  const expected = out.expected?.data;
  if (!(surprisal instanceof Float32Array) || !(expected instanceof BigInt64Array)) {
    throw new ModelLoadError('(session)', 'model outputs are not float32 surprisal and int64 expected');
  }
  return { surprisal, expected };
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'result'; id: number; surprisal: Float32Array; expected: BigInt64Array }
  | { type: 'run-failed'; id: number; message: string };

/**
 * The worker's code (CommonJS, run with `eval` so the same text serves the TypeScript sources under test and the
 * built `dist/`): opens the session (already checked against bundle.json on the main thread), then answers run
 * requests in arrival order. Token and output buffers are transferred, not copied.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const own = (a) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());
(async () => {
  let session;
  try {
    session = await ort.InferenceSession.create(workerData.bytes, workerData.sessionOptions);
  } catch (err) {
    parentPort.postMessage({ type: 'open-failed', message: 'ONNX Runtime cannot open the model in the worker: ' + err.message });
    return;
  }
  parentPort.on('message', async (msg) => {
    if (msg.type === 'release') {
      await session.release();
      parentPort.close();
      return;
    }
    try {
      const out = await session.run({ tokens: new ort.Tensor('int64', new BigInt64Array(msg.tokens), msg.dims) });
      const surprisal = out.surprisal && out.surprisal.data;
      const expected = out.expected && out.expected.data;
      if (!(surprisal instanceof Float32Array) || !(expected instanceof BigInt64Array)) throw new Error('model outputs are not float32 surprisal and int64 expected');
      const s = own(surprisal), e = own(expected);
      parentPort.postMessage({ type: 'result', id: msg.id, surprisal: s, expected: e }, [s.buffer, e.buffer]);
    } catch (err) {
      parentPort.postMessage({ type: 'run-failed', id: msg.id, message: err.message });
    }
  });
  parentPort.postMessage({ type: 'ready' });
})();
`;

const ORT_PATH = createRequire(import.meta.url).resolve('onnxruntime-node');

interface Waiter {
  resolve: (out: TokenModelOutput) => void;
  reject: (err: Error) => void;
}

/**
 * The runtime of the `field-tokens` contract (models/kinds.json): int64 tokens (B, C+1, F) in, float32 surprisal
 * and int64 expected (B, F) out. A kind with another contract needs a runtime of its own.
 */
export class TokenModel {
  static readonly CONTRACT = 'field-tokens';

  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private released = false;

  private constructor(
    private readonly modelDir: string,
    private readonly inline: ort.InferenceSession,
    private readonly init: WorkerInit,
  ) {}

  static async open(modelDir: string, bytes: Uint8Array, inputs: readonly string[], outputs: readonly string[], options: OnnxSessionOptions = {}): Promise<TokenModel> {
    const opts = sessionOptions(options);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions({ ...options, intraOpThreads: INLINE_THREADS }));
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
    const model = new TokenModel(modelDir, session, { ortPath: ORT_PATH, bytes, sessionOptions: opts });
    try {
      await model.start();
    } catch (err) {
      await session.release();
      throw err;
    }
    return model;
  }

  /** The running worker; a worker that died (a native crash) is replaced on the next call. */
  private start(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.init });
      const failed = (err: Error) => {
        worker.off('error', onError).off('exit', onExit);
        this.starting = null;
        reject(err);
      };
      const onError = (err: Error) => failed(new ModelLoadError(this.modelDir, `ONNX worker failed while opening the model: ${err.message}`, { cause: err }));
      const onExit = (code: number) => failed(new ModelLoadError(this.modelDir, `ONNX worker exited (code ${code}) while opening the model`));
      worker.once('error', onError).once('exit', onExit);
      worker.once('message', (msg: FromWorker) => {
        worker.off('error', onError).off('exit', onExit);
        if (msg.type !== 'ready') {
          void worker.terminate();
          failed(new ModelLoadError(this.modelDir, msg.type === 'open-failed' ? msg.message : `unexpected first message from the ONNX worker: ${msg.type}`));
          return;
        }
        this.attach(worker);
        this.starting = null;
        resolve(worker);
      });
    });
    return this.starting;
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.unref(); // an idle model does not keep the process alive; run() refs it while calls are out
    worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'result' && msg.type !== 'run-failed') return;
      const waiter = this.waiting.get(msg.id);
      if (!waiter) return;
      this.waiting.delete(msg.id);
      if (this.waiting.size === 0) worker.unref();
      if (msg.type === 'result') waiter.resolve({ surprisal: msg.surprisal, expected: msg.expected });
      else waiter.reject(new Error(`ONNX Runtime run failed (model ${this.modelDir}): ${msg.message}`));
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const err = new ModelLoadError(this.modelDir, `ONNX worker stopped (${reason}); calls in flight failed, the next call starts a new worker`);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    worker.on('messageerror', (err) => lost(`unreadable message: ${err.message}`));
  }

  /** tokens: (B, T, F) int64 ids, row-major; its buffer is handed to the worker (detached here). */
  async run(tokens: BigInt64Array, batch: number, rows: number, width: number): Promise<TokenModelOutput> {
    if (this.released) throw new ModelLoadError(this.modelDir, 'model released');
    if (batch <= INLINE_MAX_EVENTS) return checkOutputs(await this.inline.run({ tokens: new ort.Tensor('int64', tokens, [batch, rows, width]) }));
    // A running worker gets the call now, before run() returns: the caller works on while the worker runs the model
    // (an await here would post only after the caller's synchronous work).
    const worker = this.worker ?? (await this.start());
    const id = this.nextId++;
    const own = tokens.byteOffset === 0 && tokens.byteLength === tokens.buffer.byteLength ? tokens : tokens.slice();
    return new Promise<TokenModelOutput>((resolve, reject) => {
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ type: 'run', id, tokens: own.buffer, dims: [batch, rows, width] }, [own.buffer as ArrayBuffer]);
    });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.inline.release();
    const worker = this.worker ?? (await this.starting?.catch(() => null)) ?? null;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ type: 'release' });
    // A session that does not let go within a second is cut off; the thread's memory goes with it.
    const timer = setTimeout(() => void worker.terminate(), 1000);
    await exited;
    clearTimeout(timer);
    // Callers drain before releasing; a call still out would otherwise never settle.
    const err = new ModelLoadError(this.modelDir, 'model released while a call was in flight');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
