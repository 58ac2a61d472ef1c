// Who may still send. The reordering window waits for events that come late, but a sender whose every request in
// flight has already handed its events to the scorer cannot send anything before it gets an answer: once all recent
// senders are in that state, holding events longer brings nothing, so they go at once. A shipper with one request
// in flight is then never slowed by the window, and one with several workers has its workers' requests scored
// together. A request whose events were scored and that now waits for OpenSearch counts as handed too: waiting for
// it would make a proxied shipper's workers take turns (score one, then index it, then score the next) where the
// next worker's request can be scored while OpenSearch indexes the last.
// A sender is a client address (a shipper's workers and connection pool share it); its parallelism is the most
// requests it had in flight at once lately.
import { AsyncLocalStorage } from 'node:async_hooks';

/** One scoring request in flight, from its start to its answer. */
export interface SenderRequest {
  readonly sender: string;
  /** Its events have reached a scoring service: nothing more of it can come. */
  handed: boolean;
  /** Its sender's activity (kept while any of its requests is in flight). */
  readonly activity: Activity;
}

/**
 * The scoring request being handled, set by the HTTP server around each request that needs the model once its token
 * has passed (body read to handler done); health checks, scrapes and refused callers never count.
 */
export const currentRequest = new AsyncLocalStorage<SenderRequest | undefined>();

export interface Activity {
  /** Scoring requests in flight. */
  busy: number;
  /** Of those, the ones whose events have reached the scorer. */
  handed: number;
  /** Date.now() when its last request began or ended. */
  last: number;
  /** The most requests it had in flight at once, and when it last had that many. */
  peak: number;
  peakAt: number;
}

/**
 * Marks the request's events as handed to a scoring service (once per request; later calls change nothing). Any
 * service may take a request's events (a model switch hands them to the new one), so the request carries its count.
 */
export function handOver(request: SenderRequest): void {
  if (request.handed) return;
  request.handed = true;
  request.activity.handed += 1;
}

export class Senders {
  private readonly activity = new Map<string, Activity>();

  begin(sender: string, now = Date.now()): SenderRequest {
    const a = this.activity.get(sender) ?? { busy: 0, handed: 0, last: now, peak: 0, peakAt: now };
    a.busy += 1;
    a.last = now;
    if (a.busy >= a.peak) {
      a.peak = a.busy;
      a.peakAt = now;
    }
    this.activity.set(sender, a);
    return { sender, handed: false, activity: a };
  }

  end(request: SenderRequest, now = Date.now()): void {
    const a = request.activity;
    a.busy = Math.max(0, a.busy - 1);
    if (request.handed) a.handed = Math.max(0, a.handed - 1);
    a.last = now;
  }

  /**
   * True when some sender may still send within `windowMs` something that would come before the held events: one
   * active lately with a request whose events have not reached the scorer yet, or with fewer requests in flight than
   * it has had at once lately (a worker that may start one). Senders silent for longer than the window are forgotten.
   */
  othersMaySend(windowMs: number, now = Date.now()): boolean {
    for (const [sender, a] of this.activity) {
      if (a.busy === 0 && now - a.last >= windowMs) {
        this.activity.delete(sender);
        continue;
      }
      const parallel = now - a.peakAt < windowMs ? a.peak : Math.max(1, a.busy);
      if (a.handed < a.busy || a.busy < parallel) return true;
    }
    return false;
  }
}
