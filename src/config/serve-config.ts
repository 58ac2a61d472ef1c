// The `seqsentry serve` configuration schema: every key, its default and its limits, in one place.
import { z } from 'zod';
import { MAX_TIMER_MS, OpenSearchConfigSchema } from '../opensearch/config.js';
import { DEFAULT_EXPLAIN_ABOVE } from '../service/anomaly-fields.js';
import { DEFAULT_MAX_SCOPE_BYTES, DEFAULT_MAX_VALUE_BYTES } from '../service/bounded-values.js';
import { DEFAULT_WINDOW_CACHE } from '../model/window-cache.js';

/** Shortest accepted bearer token: long enough that guessing is hopeless. */
export const MIN_TOKEN_LENGTH = 16;

/** The scoring routes, as budget.counted_routes names them. */
export const BUDGET_ROUTES = ['bulk', 'ml', 'score', 'risk'] as const;
export type BudgetRoute = (typeof BUDGET_ROUTES)[number];
/** The routes whose events are stored: the proxy writes them, the ingest pipeline's documents are indexed. */
const DEFAULT_COUNTED_ROUTES: readonly BudgetRoute[] = ['bulk', 'ml'];

export const ServeConfigSchema = z
  .object({
    listen: z
      .object({
        /** Loopback by default: a sidecar next to the shipper; set 0.0.0.0 to serve other hosts. */
        host: z.string().min(1).default('127.0.0.1'),
        /** 0 picks a free port (tests). */
        port: z.number().int().min(0).max(65_535).default(8080),
        /**
         * Serve HTTPS with this certificate and key (PEM files, read at start-up): shippers' tokens and events cross
         * the network encrypted. Unset: plain HTTP, for a sidecar on the shippers' host or behind a TLS proxy.
         */
        tls: z.object({ cert_file: z.string().min(1), key_file: z.string().min(1) }).strict().optional(),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        /** Off only when explicitly disabled; then every route is open. */
        enabled: z.boolean().default(true),
        /** Accepted bearer tokens (several, so tokens can be rotated without downtime). */
        tokens: z.array(z.string().min(MIN_TOKEN_LENGTH, `a token must be at least ${MIN_TOKEN_LENGTH} characters`)).default([]),
        /** File with one token per line (blank lines and # comments ignored), read at start-up. */
        token_file: z.string().min(1).optional(),
        /**
         * Tokens for the admin routes only (POST /v1/admin/reload); none: those routes answer 403. They are not
         * accepted for scoring or shipping, and scoring tokens are not accepted here (least privilege).
         */
        admin_tokens: z.array(z.string().min(MIN_TOKEN_LENGTH, `a token must be at least ${MIN_TOKEN_LENGTH} characters`)).default([]),
        /**
         * Tokens for the scoring routes that write nothing only (/v1/score, /v1/risk, /v1/ml/score): an authentication
         * server or the ML Commons connector, which need not ship events through the proxy (least privilege).
         */
        score_tokens: z.array(z.string().min(MIN_TOKEN_LENGTH, `a token must be at least ${MIN_TOKEN_LENGTH} characters`)).default([]),
      })
      .strict()
      .prefault({}),
    /** Directory holding bundle.json and model.onnx. */
    model_dir: z.string({ error: 'required: the model bundle directory (--model-dir, SEQSENTRY_MODEL_DIR or model_dir)' }).min(1),
    model: z
      .object({
        /**
         * Poll model_dir's bundle.json (content sha256 and mtime) and switch to a changed bundle without a restart,
         * as POST /v1/admin/reload does. Write model.onnx first and bundle.json last (or rename the files in).
         */
        watch: z.boolean().default(false),
        /** Time between two polls of bundle.json. */
        watch_interval_ms: z.number().int().min(100).max(3_600_000).default(5_000),
      })
      .strict()
      .prefault({}),
    adapter: z
      .object({
        /** Adapter for incoming records; unset = the format the bundle was trained on (ecs for OpenSearch documents). */
        format: z.string().min(1).optional(),
        /** Adapter options (e.g. an ECS field map); unset = the bundle's adapter_options. */
        options: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .prefault({}),
    opensearch: OpenSearchConfigSchema.prefault({}),
    /** Largest request body, after decompression (OpenSearch's own http.max_content_length is 100 MB). */
    max_body_bytes: z.number().int().positive().default(100 * 1024 * 1024),
    /**
     * The online routes' limits: their requests are scored on the event loop, so one huge record would stall every
     * other request (and the health probes) while it is parsed and copied.
     */
    limits: z
      .object({
        /** Largest /v1/score body (a batch of events); max_body_bytes when smaller. */
        score_body_bytes: z.number().int().positive().default(16 * 1024 * 1024),
        /** Largest /v1/ml/score body (one document from an ingest pipeline); max_body_bytes when smaller. */
        ml_body_bytes: z.number().int().positive().default(1024 * 1024),
        /**
         * Bytes of scoring request bodies (the proxy's, /v1/score's, the ML route's) held at once: a request that
         * would pass it is answered 429 with Retry-After, unless nothing else is held. Each body costs a few times its
         * size while it is parsed and forwarded, so this bounds the sidecar's memory under many large bulks.
         */
        inflight_body_bytes: z.number().int().positive().default(256 * 1024 * 1024),
        /** Keys of one record at most, counted at every depth (a Winlogbeat event has about 200). */
        record_keys: z.number().int().positive().default(10_000),
        /** Time to receive a request's headers, and a whole request (Node's own defaults are 60 s and 300 s). */
        headers_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(20_000),
        request_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(120_000),
      })
      .strict()
      // Node refuses a server whose headers may take longer than the whole request
      .refine((l) => l.headers_timeout_ms <= l.request_timeout_ms, { message: 'headers_timeout_ms must not exceed request_timeout_ms', path: ['headers_timeout_ms'] })
      .prefault({}),
    batching: z
      .object({
        /** Events in one ONNX call at most. */
        max_batch: z.number().int().min(1).max(65_536).default(512),
        /** While a batch runs, how long new requests gather for the next one at most (an idle scorer starts at once). */
        max_delay_ms: z.number().int().min(0).max(10_000).default(5),
        /**
         * Threads of one large ONNX call; 0 = ONNX Runtime's default (one per core). On a small box shared with
         * OpenSearch, 1 costs slightly less CPU per event; with cores to spare, more threads cut batch latency.
         */
        onnx_threads: z.number().int().min(0).max(256).default(0),
        /**
         * A context-free model's outputs remembered per window (its F token ids), so that a repeated event skips the
         * model; 0 = none. Bounded by entries, a few hundred bytes each; a model switch starts an empty one.
         */
        window_cache: z.number().int().min(0).max(4_194_304).default(DEFAULT_WINDOW_CACHE),
      })
      .strict()
      .prefault({}),
    aggregate: z
      .object({
        /**
         * Index pattern of the scored events that serve aggregates into entity notables (seqsentry-entities) on a
         * schedule, as `seqsentry aggregate` would with its defaults; unset: no schedule here (run aggregate, or
         * enrich --follow, which aggregates what it enriches).
         */
        index: z.string().min(1).optional(),
        /** Time between two passes. */
        every_ms: z.number().int().min(1_000).max(MAX_TIMER_MS).default(300_000),
        /** How far back each pass reads: a later event is aggregated when it comes within this. */
        lookback_ms: z.number().int().min(60_000).max(365 * 86_400_000).default(7_200_000),
      })
      .strict()
      .prefault({}),
    explanation: z
      .object({
        /**
         * anomaly_score from which an event's explanation is written in full (every explained field with its
         * surprisal and expected value, the threshold and the raw score); below it only the top field's name, with
         * its value on an anomalous event (src/service/anomaly-fields.ts). The
         * default explains the top 1% of normal traffic and every anomaly; 0 explains every event in full.
         */
        full_above: z.number().min(0).max(1).default(DEFAULT_EXPLAIN_ABOVE),
      })
      .strict()
      .prefault({}),
    budget: z
      .object({
        /**
         * The daily alert budget (src/scorer/daily-budget.ts): anomaly.is_anomaly also needs the event's score among
         * the top `rate` of the scores this sidecar saw over the last 24 hours of event time, so a day unlike training
         * cannot flood the monitors and notables that count is_anomaly. anomaly_score is unchanged either way.
         */
        enabled: z.boolean().default(true),
        /** R, the share of a day's events that may be flagged; unset: the bundle's acceptance rate (1 − threshold). */
        rate: z.number().gt(0).lt(1).optional(),
        /**
         * Index pattern of the events this sidecar scores: at start-up the budget's trailing 24 hours are refilled
         * from them (src/opensearch/budget-loader.ts); unset: a start begins with an empty window (a warm-up).
         */
        refill_index: z.string().min(1).optional(),
        /**
         * The routes whose events count into the window: `bulk` (the proxy), `ml` (/v1/ml/score, the ingest
         * pipeline's), `score` (/v1/score), `risk` (/v1/risk). Events of the others are judged against the window but
         * not counted, so a caller whose events are never indexed cannot spend the flags of the day's stored events.
         */
        counted_routes: z.array(z.enum(BUDGET_ROUTES)).default([...DEFAULT_COUNTED_ROUTES]),
      })
      .strict()
      .prefault({}),
    history: z
      .object({
        /** Entities whose recent events are kept in memory (LRU beyond this). */
        max_entities: z.number().int().min(1).default(100_000),
        /** Refill a cold entity's history from OpenSearch (index = scope) so inline and backfill scores agree. */
        refill: z.boolean().default(true),
        /** Scope for /v1/score requests that name none; '' keeps their history in memory only (no refill). */
        default_scope: z.string().default(''),
        /**
         * The reordering window (ms): an event waits until events this much later in event time have come in, or
         * until it has waited this long, and is scored in time order with them, so that jitter between workers or
         * shippers does not change scores. It never waits once every recent sender has handed all its requests in
         * flight to the scorer (src/service/senders.ts; docs/contracts.md, "Canonical order"). 0 scores at once.
         */
        reorder_window_ms: z.number().int().min(0).max(60_000).default(2_000),
        /** Deadline of one refill search; a batch waits for it. */
        load_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(5_000),
        /**
         * Bound on each entity and field value the scorer keeps or hashes, in UTF-8 bytes. A longer value is
         * replaced by `<first 64 characters>…#<base64url SHA-256 of the value>`, so keys and cost per event stay
         * bounded whatever a document holds (such an entity's history is not refilled from OpenSearch).
         */
        max_value_bytes: z.number().int().min(512).max(65_536).default(DEFAULT_MAX_VALUE_BYTES),
        /** Bound on a history scope (the index, or /v1/score's `scope`), UTF-8 bytes; /v1/score refuses longer ones. */
        max_scope_bytes: z.number().int().min(64).max(4_096).default(DEFAULT_MAX_SCOPE_BYTES),
      })
      .strict()
      .prefault({}),
    bulk: z
      .object({
        /**
         * When OpenSearch cannot take a forwarded bulk. 'status': answer 502/504 with an OpenSearch-style error,
         * which shippers retry. 'close': close the connection without an answer, for shippers that drop a batch
         * on an HTTP error instead of retrying it (rsyslog's omelasticsearch before 8.2604, e.g. Debian 12's
         * 8.2302): to them a broken connection means "suspend and retry later".
         */
        on_upstream_failure: z.enum(['status', 'close']).default('status'),
        /**
         * Least privilege: the bulk actions a shipper may send. Anything else (update, delete unless listed) is
         * refused per item with status 403 in the bulk response and never reaches OpenSearch.
         */
        allowed_actions: z.array(z.enum(['index', 'create', 'update', 'delete'])).min(1).default(['index', 'create']),
        /**
         * Index patterns (`*` = any characters) a shipper may write, e.g. ["logs-auth-*"]. System and hidden
         * indices (a leading `.`) are refused whatever the patterns say.
         */
        index_patterns: z.array(z.string().min(1)).min(1).default(['*']),
        /**
         * Give an index/create item without _id a deterministic one: base64url(SHA-256(index as a JSON string,
         * "\n", the source line as received)), so a shipper's retry of a bulk overwrites instead of duplicating. A
         * retried `create` of the same bytes then meets a 409 conflict, which the proxy answers as 200 "noop".
         */
        deterministic_ids: z.boolean().default(true),
        /**
         * Whether an `index` item naming its own `_id` may replace a stored document. Off (least privilege: a shipper
         * adds events, it does not rewrite the evidence): such an item is sent as a `create`, and OpenSearch answers
         * 409 where the document exists (reported under the shipper's `index`, with the reason).
         */
        overwrite: z.boolean().default(false),
        /**
         * Largest request forwarded to OpenSearch; set it to the cluster's http.max_content_length (default
         * 100mb). A bulk that outgrows it with its anomaly fields is sent in parts, in order, and the answers
         * merged; an item that alone exceeds it is refused per item with 413. One part is held at a time.
         */
        max_forward_bytes: z.number().int().min(1024).default(100 * 1024 * 1024),
        /**
         * Items (actions) in one bulk at most; a larger bulk is refused whole with 413 before anything is scored or
         * forwarded. Shippers send hundreds to a few thousand; without a bound, a body of millions of tiny items
         * within max_body_bytes costs gigabytes of memory to parse and answer.
         */
        max_items: z.number().int().min(1).max(10_000_000).default(100_000),
      })
      .strict()
      .prefault({}),
    /** On SIGTERM/SIGINT: how long in-flight requests may take before connections are cut. */
    shutdown_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
  })
  .strict();

export type ServeConfigInput = z.input<typeof ServeConfigSchema>;

/** Validated configuration, with the tokens from every source merged into auth.tokens. */
export type ServeConfig = z.infer<typeof ServeConfigSchema>;
