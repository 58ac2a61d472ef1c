// Who may still send. The reordering window waits for events that come late, but a sender whose every request in
// flight is waiting for its answer cannot send anything before it gets one: once all recent senders are in that
// state, holding events longer brings nothing, so they go at once. A shipper with one request in flight is then
// never slowed by the window, and one with several workers has its workers' requests scored together.
// A sender is a client address (a shipper's workers and connection pool share it); its parallelism is the most
// requests it had in flight at once lately.
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The sender of the request being handled (the client's address), set by the HTTP server around each request.
 * The HTTP server counts each sender's scoring requests in flight (body read to answer sent); health checks and
 * scrapes never count.
 */
export const currentSender = new AsyncLocalStorage<string>();

interface Activity {
  /** Scoring requests in flight. */
  busy: number;
  /** Date.now() when its last request began or ended. */
  last: number;
  /** The most requests it had in flight at once, and when it last had that many. */
  peak: number;
  peakAt: number;
}

export class Senders {
  private readonly activity = new Map<string, Activity>();

  begin(sender: string, now = Date.now()): void {
    const a = this.activity.get(sender) ?? { busy: 0, last: now, peak: 0, peakAt: now };
    a.busy += 1;
    a.last = now;
    if (a.busy >= a.peak) {
      a.peak = a.busy;
      a.peakAt = now;
    }
    this.activity.set(sender, a);
  }

  end(sender: string, now = Date.now()): void {
    const a = this.activity.get(sender);
    if (!a) return;
    a.busy = Math.max(0, a.busy - 1);
    a.last = now;
  }

  /**
   * True when some sender may still send within `windowMs` something that would come before the held events:
   * one active lately that has fewer requests held (`held`: requests held per sender) than it has had in flight at
   * once lately. Senders silent for longer than the window are forgotten.
   */
  othersMaySend(held: ReadonlyMap<string, number>, windowMs: number, now = Date.now()): boolean {
    for (const [sender, a] of this.activity) {
      if (a.busy === 0 && now - a.last >= windowMs) {
        this.activity.delete(sender);
        continue;
      }
      const parallel = now - a.peakAt < windowMs ? a.peak : Math.max(1, a.busy);
      if ((held.get(sender) ?? 0) < parallel) return true;
    }
    return false;
  }
}
