// The frozen registry of model kinds: what the trainer builds and how the scorer feeds each one.

export interface ModelKind {
  readonly kind: string;
  readonly summary: string;
  /** Previous events of the same entity given as context (the ONNX input's C). */
  readonly defaultContext: number;
  /** Whether --context may change the context length. */
  readonly contextual: boolean;
}

export const MODEL_KINDS: Readonly<Record<string, ModelKind>> = Object.freeze({
  'transformer-mlm': Object.freeze({
    kind: 'transformer-mlm',
    summary: 'masked-field transformer over the entity\'s recent events (Gökstorp et al., NOMS 2024)',
    defaultContext: 8,
    contextual: true,
  }),
  'lstm-lm': Object.freeze({
    kind: 'lstm-lm',
    summary: 'event-level bidirectional LSTM language model over field tokens (Tuor et al. 2018)',
    defaultContext: 0,
    contextual: false,
  }),
});

export const DEFAULT_KIND = 'transformer-mlm';
