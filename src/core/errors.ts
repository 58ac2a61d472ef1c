// The error taxonomy: each error names what failed and where, with the context as fields.

export class SeqSentryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A run stopped by a signal after tearing down what it started; the CLI exits with 128 + the signal's number. */
export class InterruptedError extends SeqSentryError {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM' | string) {
    super(`interrupted by ${signal}; what this run started has been stopped`);
  }

  get exitCode(): number {
    return 128 + (this.signal === 'SIGINT' ? 2 : this.signal === 'SIGTERM' ? 15 : 0);
  }
}

/** Bad command-line usage: printed with the command's help, exit code 2. */
export class UsageError extends SeqSentryError {}

/** Bad configuration value; `key` names the offending setting. */
export class ConfigError extends SeqSentryError {
  constructor(readonly key: string, reason: string) {
    super(`config ${key}: ${reason}`);
  }
}

/** Longest reason an AdapterError keeps: reasons quote the input, which may be hostile or huge. */
export const MAX_REASON_CHARS = 300;

/** `text` cut to `max` characters, saying how long it was. */
export function bounded(text: string, max = MAX_REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A record an adapter cannot read, located by source and line (and field when known); the reason is bounded. */
export class AdapterError extends SeqSentryError {
  readonly reason: string;

  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
    readonly field?: string,
  ) {
    const cut = bounded(reason);
    super(`${bounded(source)}:${line}: ${field ? `field ${bounded(field, 100)}: ` : ''}${cut}`);
    this.reason = cut;
  }
}

/** A model bundle that cannot be loaded or does not match its ONNX session. */
export class ModelLoadError extends SeqSentryError {
  constructor(readonly modelDir: string, reason: string, options?: ErrorOptions) {
    super(`model ${modelDir}: ${reason}`, options);
  }
}

/** The Python trainer failed; `stderrTail` holds its last lines. */
export class TrainerError extends SeqSentryError {
  constructor(reason: string, readonly stderrTail = '') {
    super(stderrTail ? `${reason}\n${stderrTail}` : reason);
  }
}

/** An OpenSearch request failed; `status` is the HTTP status when there was a response. */
export class OpenSearchError extends SeqSentryError {
  constructor(readonly operation: string, reason: string, readonly status?: number, readonly index?: string, options?: ErrorOptions) {
    super(`OpenSearch ${operation}${index ? ` on ${index}` : ''}: ${reason}${status ? ` (HTTP ${status})` : ''}`, options);
  }
}
