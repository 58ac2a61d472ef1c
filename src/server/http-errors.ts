// HTTP-facing errors and replies: OpenSearch-style error bodies so shippers log them the way they log OpenSearch's.
import { SeqSentryError } from '../core/errors.js';
import type { ErrorKind } from './metrics.js';

export interface Reply {
  status: number;
  /** A JSON value (serialized here) or ready bytes with their content type. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Close the connection instead of answering (counted and logged with `status` all the same). */
  abort?: boolean;
}

/** A request the sidecar refuses or cannot serve; `type` follows OpenSearch's error type names. */
export class HttpError extends SeqSentryError {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly kind: ErrorKind,
    readonly headers: Record<string, string> = {},
    /** Close the connection without an answer (see bulk.on_upstream_failure). */
    readonly abort = false,
  ) {
    super(`HTTP ${status} ${type}: ${reason}`);
  }
}

/** `{"error":{"root_cause":[...],"type","reason"},"status"}`, the shape OpenSearch answers errors with. */
export function errorBody(status: number, type: string, reason: string): unknown {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

export function errorReply(err: HttpError): Reply {
  return { status: err.status, body: errorBody(err.status, err.type, err.reason), headers: err.headers, ...(err.abort ? { abort: true } : {}) };
}

export const json = (status: number, body: unknown): Reply => ({ status, body });
