// The pure TypeScript model kinds (models/kinds.json: "typescript": {"module": NAME}): NAME -> how `seqsentry train`
// fits a bundle of the kind and how the scorer opens one. No ONNX file and no Python side.
import type { Adapter } from '../adapters/adapter.js';
import type { CanonicalEvent } from '../core/event.js';
import type { RuntimeFactory } from '../model/runtime.js';
import { openCharfreq } from './charfreq/runtime.js';
import { trainCharfreq } from './charfreq/train.js';

export interface TypeScriptTrainInput {
  kind: string;
  adapter: Adapter;
  adapterOptions: Record<string, unknown>;
  entityKey: string;
  /** The training events, as read. */
  events: AsyncIterable<CanonicalEvent>;
  modelDir: string;
}

export interface TypeScriptKind {
  /** Fits the kind on the events and writes the bundle (bundle.json last); returns one line to report. */
  train(input: TypeScriptTrainInput): Promise<string>;
  open: RuntimeFactory;
}

export const TYPESCRIPT_KINDS: Readonly<Record<string, TypeScriptKind>> = Object.freeze({
  charfreq: Object.freeze({ train: trainCharfreq, open: openCharfreq }),
});

export const TYPESCRIPT_RUNTIMES: Readonly<Record<string, RuntimeFactory>> = Object.freeze(
  Object.fromEntries(Object.entries(TYPESCRIPT_KINDS).map(([name, k]) => [name, k.open])),
);
