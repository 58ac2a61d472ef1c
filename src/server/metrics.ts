// The sidecar's metrics: requests, latencies, events scored, batch sizes, errors by kind, history size, the daily
// budget's window, and the process's CPU, memory, file descriptors and event-loop delay.
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BatchObserver } from '../service/scoring-service.js';
import type { HistoryStore } from '../scorer/history.js';
import type { WindowCacheStats } from '../model/window-cache.js';
import type { ScreenStats } from '../scorer/scorer.js';
import type { DailyBudget } from '../scorer/daily-budget.js';
import { Counter, Gauge, Histogram, Registry } from './prometheus.js';

/** The loaded model's cascade counts (Scorer.screenStats) and daily budget (Scorer.budget), read when the metrics are. */
interface ScreenSource {
  readonly screenStats: ScreenStats | null;
  readonly budget?: DailyBudget | null;
}

/** The daily budget's series, shown to an admin's scrape only. */
const BUDGET_PREFIX = 'seqsentry_budget_';

/** Event-loop delay quantiles reported (of the delays sampled since the previous scrape). */
const LOOP_QUANTILES = [0.5, 0.9, 0.99] as const;
/** Resolution of the event-loop delay sampling, in ms. */
const LOOP_RESOLUTION_MS = 20;

/** Open file descriptors (Linux: /proc/self/fd), or null where that is not readable. */
function openDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length - 1; // the directory's own descriptor, opened to read it
  } catch {
    return null;
  }
}

/** The soft limit on open file descriptors (Linux: /proc/self/limits), or null where that is not readable. */
function maxDescriptors(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null;
  }
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
  /** Samples the event loop's delay; reset at each scrape, so its quantiles cover the time since the previous one. */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

  constructor() {
    this.loopDelay.enable();
    this.processFamilies();
    this.budgetFamilies();
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

  /** The process's own series, under the names Prometheus clients give them, and the JavaScript heap. */
  private processFamilies(): void {
    const started = Date.now() / 1000 - process.uptime();
    // One reading serves the three CPU series of a scrape (read one after the other, other threads' CPU would make
    // user + system differ from the total).
    let reading = { at: -Infinity, usage: process.cpuUsage() };
    const usage = (): NodeJS.CpuUsage => {
      const at = performance.now();
      if (at - reading.at > 100) reading = { at, usage: process.cpuUsage() };
      return reading.usage;
    };
    const cpu = (read: (u: NodeJS.CpuUsage) => number) => () => [{ value: read(usage()) / 1e6 }];
    this.registry.register(new Gauge('process_cpu_user_seconds_total', 'User CPU time the sidecar process spent, all its threads (the ONNX worker\'s too), in seconds.', cpu((u) => u.user), 'counter'));
    this.registry.register(new Gauge('process_cpu_system_seconds_total', 'System CPU time the sidecar process spent, in seconds.', cpu((u) => u.system), 'counter'));
    this.registry.register(new Gauge('process_cpu_seconds_total', 'User and system CPU time the sidecar process spent, in seconds.', cpu((u) => u.user + u.system), 'counter'));
    this.registry.register(new Gauge('process_start_time_seconds', 'When the sidecar process started, in seconds since the Unix epoch.', () => [{ value: Math.round(started) }]));
    this.registry.register(new Gauge('process_resident_memory_bytes', 'Resident memory of the sidecar process, in bytes.', () => [{ value: process.memoryUsage.rss() }]));
    const fds = openDescriptors() === null ? null : maxDescriptors();
    this.registry.register(new Gauge('process_open_fds', 'Open file descriptors (sockets included) of the sidecar process.', () => {
      const n = openDescriptors();
      return n === null ? [] : [{ value: n }];
    }));
    if (fds !== null) this.registry.register(new Gauge('process_max_fds', 'The soft limit on open file descriptors of the sidecar process.', () => [{ value: fds }]));
    const heap = (read: (m: NodeJS.MemoryUsage) => number) => () => [{ value: read(process.memoryUsage()) }];
    // (external includes the array buffers already: Node's memoryUsage())
    this.registry.register(new Gauge('nodejs_heap_size_used_bytes', 'JavaScript heap in use, in bytes.', heap((m) => m.heapUsed)));
    this.registry.register(new Gauge('nodejs_heap_size_total_bytes', 'JavaScript heap reserved, in bytes.', heap((m) => m.heapTotal)));
    this.registry.register(new Gauge('nodejs_external_memory_bytes', 'Memory outside the JavaScript heap held by its objects (buffers, typed arrays), in bytes.', heap((m) => m.external)));
    this.registry.register(new Gauge('nodejs_eventloop_delay_seconds', `The event loop's delay at quantiles of the samples since the previous scrape (resolution ${LOOP_RESOLUTION_MS} ms), and its maximum, in seconds: how long a ready request waits.`, () => {
      const h = this.loopDelay;
      // No sample yet (a scrape right after the previous one): nothing to report rather than a made-up 0.
      // Each sample is the time between two timer turns, the resolution included: the delay is what is beyond it.
      const delay = (ns: number) => Math.max(0, ns - LOOP_RESOLUTION_MS * 1e6) / 1e9;
      const rows = h.count === 0 ? [] : [...LOOP_QUANTILES.map((q) => ({ labels: { quantile: String(q) }, value: delay(h.percentile(q * 100)) })), { labels: { quantile: '1' }, value: delay(h.max) }];
      h.reset();
      return rows;
    }));
  }

  /** The loaded model's daily alert budget (daily-budget.ts): its rate and its 24-hour window's events and flags. */
  private budgetFamilies(): void {
    const budget = (read: (b: DailyBudget) => number) => () => {
      const b = this.screen?.budget;
      return b ? [{ value: read(b) }] : [];
    };
    this.registry.register(new Gauge('seqsentry_budget_rate', 'The daily alert budget\'s rate: the share of the last 24 hours\' events that may be flagged (absent: no budget).', budget((b) => b.rate)));
    this.registry.register(new Gauge('seqsentry_budget_window_events', 'Events counted in the daily budget\'s 24-hour window (a switch or restart starts it from the refill, else empty).', budget((b) => b.window().events)));
    this.registry.register(new Gauge('seqsentry_budget_window_flagged', 'Events flagged (is_anomaly) in the daily budget\'s 24-hour window.', budget((b) => b.window().flagged)));
    this.registry.register(new Gauge('seqsentry_budget_window_quota', 'Flags the daily budget\'s window allows now, ceil(rate × its events): flagged at the quota means further rare events are scored but not flagged.', budget((b) => Math.ceil(b.rate * b.window().events))));
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

  /** The exposition; the daily budget's series only with `budget` (an admin's scrape). */
  render(budget = true): string {
    return this.registry.render(budget ? undefined : (name) => !name.startsWith(BUDGET_PREFIX));
  }

  /** Stops sampling the event loop (the sidecar's shutdown). */
  close(): void {
    this.loopDelay.disable();
  }
}
