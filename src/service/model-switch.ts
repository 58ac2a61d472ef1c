// The serving ScoringService and its atomic switch to another bundle's: a request leases the service that is
// current when it starts and keeps it to its end, so each request is scored by exactly one bundle; the old
// service is drained and its scorer released once the last request holding it has ended.
import { logger } from '../util/log.js';
import type { ScoringService } from './scoring-service.js';

export interface Lease {
  service: ScoringService;
  /** Ends the lease; call it once, when the request is answered. */
  release(): void;
}

const log = logger.child({ component: 'model-switch' });

export class ModelSwitch {
  private active: ScoringService | null = null;
  /** Leases held per service (the active one and those being retired). */
  private readonly leases = new Map<ScoringService, number>();
  /** Retiring services waiting for their last lease to end. */
  private readonly waiting = new Map<ScoringService, () => void>();
  private readonly retiring = new Set<Promise<void>>();

  /** The service new requests get; null before the first bundle is loaded. */
  get current(): ScoringService | null {
    return this.active;
  }

  /** Takes the current service for one request (null when none is loaded). */
  lease(): Lease | null {
    const service = this.active;
    if (!service) return null;
    this.leases.set(service, (this.leases.get(service) ?? 0) + 1);
    let released = false;
    return {
      service,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.leases.get(service) ?? 1) - 1;
        if (left > 0) {
          this.leases.set(service, left);
          return;
        }
        this.leases.delete(service);
        this.waiting.get(service)?.();
      },
    };
  }

  /**
   * Makes `next` the service of every request that starts from now on; the previous one finishes what it was
   * handed (leased requests, held and queued batches) and is released in the background. Resolves at once;
   * `settled()` waits for the retirements.
   */
  switchTo(next: ScoringService): void {
    const old = this.active;
    this.active = next;
    if (!old || old === next) return;
    next.scorer.adoptBudget(old.scorer);
    const done = this.retire(old).finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }

  /** Resolves when every replaced service has been drained and released. */
  async settled(): Promise<void> {
    while (this.retiring.size) await Promise.all([...this.retiring]);
  }

  /** Shutdown: the active service drained and released too, after the replaced ones. */
  async close(): Promise<void> {
    const last = this.active;
    this.active = null;
    if (last) await this.retire(last);
    await this.settled();
  }

  private async retire(old: ScoringService): Promise<void> {
    old.stopHolding();
    if (this.leases.has(old)) await new Promise<void>((resolve) => this.waiting.set(old, resolve));
    this.waiting.delete(old);
    try {
      await old.drain();
    } finally {
      await old.scorer.close().catch((err: unknown) => log.warn({ err, model: old.scorer.modelId }, 'releasing the replaced model failed'));
    }
    log.info({ model: old.scorer.modelId }, 'model drained and released');
  }
}

/**
 * Why bundle `next` cannot take over from `serving` in a running process, or null. The adapter, the history keys
 * and the refill query all follow the format and the entity key; a new vocabulary or kind is fine (each bundle's
 * history is its own, refilled from OpenSearch).
 */
export function switchRefusal(serving: { format: string; entity_key: string }, next: { format: string; entity_key: string }): string | null {
  if (serving.format !== next.format) return `its format is ${next.format}, the serving bundle's ${serving.format}`;
  if (serving.entity_key !== next.entity_key) return `its entity key is ${next.entity_key}, the serving bundle's ${serving.entity_key}`;
  return null;
}
