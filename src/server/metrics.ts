// The sidecar's metrics: requests, latencies, events scored, batch sizes, errors by kind, history size.
import type { BatchObserver } from '../service/scoring-service.js';
import type { HistoryStore } from '../scorer/history.js';
import type { WindowCacheStats } from '../model/window-cache.js';
import type { ScreenStats } from '../scorer/scorer.js';
import { Counter, Gauge, Histogram, Registry } from './prometheus.js';

/** The loaded model's cascade counts (Scorer.screenStats), read when the metrics are. */
interface ScreenSource {
  readonly screenStats: ScreenStats | null;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/** Error kinds counted in seqsentry_errors_total. */
export type ErrorKind = 'adapter' | 'scorer' | 'history' | 'bad_request' | 'too_large' | 'auth' | 'upstream' | 'internal';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = this.registry.register(new Counter('seqsentry_http_requests_total', 'HTTP requests by route and status.', ['route', 'status']));
  readonly requestSeconds = this.registry.register(new Histogram('seqsentry_http_request_duration_seconds', 'HTTP request latency by route, body read to response written.', LATENCY_BUCKETS, ['route']));
  readonly eventsScored = this.registry.register(new Counter('seqsentry_events_scored_total', 'Events given an anomaly_score, by route.', ['route']));
  readonly eventsUnscored = this.registry.register(new Counter('seqsentry_events_unscored_total', 'Events passed on with anomaly.error instead of a score, by route.', ['route']));
  readonly batchSize = this.registry.register(new Histogram('seqsentry_batch_size', 'Events per micro-batch (one or more ONNX calls).', BATCH_BUCKETS));
  readonly batchSeconds = this.registry.register(new Histogram('seqsentry_batch_duration_seconds', 'Time to score one micro-batch, history refill included.', LATENCY_BUCKETS));
  readonly forwardSeconds = this.registry.register(new Histogram('seqsentry_forward_duration_seconds', 'Time for OpenSearch to answer a forwarded bulk request.', LATENCY_BUCKETS));
  readonly itemsFailed = this.registry.register(new Counter('seqsentry_bulk_items_failed_total', 'Bulk items OpenSearch did not write (its per-item answer of 300 or more), by status: events lost unless the shipper retries them.', ['status']));
  readonly lateEvents = this.registry.register(new Counter('seqsentry_events_late_total', 'Events scored after a later event of their entity had been scored (they came beyond the reordering window).'));
  readonly reloads = this.registry.register(new Counter('seqsentry_model_reloads_total', 'Bundle reloads by trigger (admin, watch) and outcome (switched, refused).', ['trigger', 'outcome']));
  readonly errors = this.registry.register(new Counter('seqsentry_errors_total', 'Errors by kind: adapter, scorer, history, bad_request, too_large, auth, upstream, internal.', ['kind']));
  private history: HistoryStore | null = null;
  private model: { name: string; version: string; kind: string } | null = null;
  private windowCache: WindowCacheStats | null = null;
  private screen: ScreenSource | null = null;

  constructor() {
    this.lateEvents.inc(undefined, 0); // shown from the start: 0 late is the figure to watch
    this.registry.register(new Gauge('seqsentry_history_entities', 'Entities whose recent events are held in memory.', () => [{ value: this.history?.size ?? 0 }]));
    this.registry.register(new Gauge('seqsentry_history_evictions_total', 'Entities evicted from the in-memory history (LRU).', () => [{ value: this.history?.evictions ?? 0 }], 'counter'));
    // The loaded model's cache: a switch brings a fresh one, so these restart from 0 with it.
    const cache = (read: (c: WindowCacheStats) => number) => () => (this.windowCache ? [{ value: read(this.windowCache) }] : []);
    this.registry.register(new Gauge('seqsentry_window_cache_hits_total', 'Events of the loaded model answered from its window cache, without a model call.', cache((c) => c.hits), 'counter'));
    this.registry.register(new Gauge('seqsentry_window_cache_misses_total', 'Windows of the loaded model sent to the model.', cache((c) => c.misses), 'counter'));
    this.registry.register(new Gauge('seqsentry_window_cache_entries', 'Windows held in the loaded model\'s cache.', cache((c) => c.size)));
    this.registry.register(new Gauge('seqsentry_window_cache_off', 'The loaded model\'s window cache given up for too few hits (1) or in use (0).', cache((c) => (c.off ? 1 : 0))));
    const screen = (read: (s: ScreenStats) => number) => () => {
      const stats = this.screen?.screenStats;
      return stats ? [{ value: read(stats) }] : [];
    };
    this.registry.register(new Gauge('seqsentry_screen_events_total', 'Events the loaded cascade\'s context-free screen scored.', screen((s) => s.screened), 'counter'));
    this.registry.register(new Gauge('seqsentry_screen_escalated_total', 'Of those, events at or above the screen threshold that the model scored again with their context.', screen((s) => s.escalated), 'counter'));
    this.registry.register(new Gauge('seqsentry_model_info', 'The loaded model bundle (value 1).', () => (this.model ? [{ labels: this.model, value: 1 }] : [])));
  }

  /** Called when a model is loaded and on each switch: from then on its history and identity are reported. */
  attachModel(history: HistoryStore, model: { name: string; version: string; kind: string }, windowCache: WindowCacheStats | null = null, screen: ScreenSource | null = null): void {
    this.history = history;
    this.model = model;
    this.windowCache = windowCache;
    this.screen = screen;
  }

  /** The ScoringService hooks. */
  get batchObserver(): BatchObserver {
    return {
      onBatch: (events, seconds) => {
        this.batchSize.observe(undefined, events);
        this.batchSeconds.observe(undefined, seconds);
      },
      onError: (kind) => this.errors.inc({ kind }),
      onLate: (events) => this.lateEvents.inc(undefined, events),
    };
  }

  error(kind: ErrorKind): void {
    this.errors.inc({ kind });
  }

  render(): string {
    return this.registry.render();
  }
}
