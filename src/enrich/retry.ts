// Exponential backoff with jitter for OpenSearch calls that may be refused for a while (429, 502-504, resets).

export interface BackoffPolicy {
  /** Delay before the first retry, in ms; doubles on each further attempt. */
  baseMs: number;
  /** Largest delay between two attempts, in ms. */
  capMs: number;
  /** Attempts in all, the first one included; the last failure is thrown. */
  attempts: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 250, capMs: 30_000, attempts: 10 });

/**
 * The wait before retry number `retry` (0-based): "equal jitter", half fixed and half random, so retries of
 * many workers spread out while each wait still grows exponentially (never shorter than half the nominal).
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const nominal = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  return nominal / 2 + random() * (nominal / 2);
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** HTTP statuses worth retrying: back-pressure and a node or proxy that is briefly away. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}
