// The demo's shipper: the test days' LANL lines sent through the sidecar's _bulk proxy as a shipper would send them
// (`{"@timestamp", "message": "<raw line>"}`), plus the ECS entity fields the content pack's dashboards and the
// aggregator read.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { isNoEvent } from '../adapters/adapter.js';
import { createAdapter } from '../adapters/registry.js';
import { OpenSearchError, SeqSentryError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { logger } from '../util/log.js';

/** Statuses a shipper retries: the node was busy (429) or the bulk got no answer in time (502-504). */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Waits before each retry of a bulk the node did not take; then the demo fails, naming the status. */
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000];

/** Bulks end between two seconds after about this many documents. */
const BULK_DOCS = 2000;

/** The ECS fields of a shipped document per entity kind (`seqsentry-ecs-auth` maps them as keywords). */
export const SHIPPED_ENTITY_FIELDS = Object.freeze({ user: 'user.name', src_host: 'source.domain', dst_host: 'destination.domain' });

const lanl = createAdapter('lanl');
const log = logger.child({ component: 'demo-ship' });

/** The LANL event of a line, read by the adapter the sidecar uses. */
export function lanlEvent(line: string, source: SourceRef): CanonicalEvent {
  const event = lanl.parse(line, source);
  if (!event || isNoEvent(event)) throw new SeqSentryError(`${source.file}:${source.line}: not a LANL event`);
  return event;
}

/**
 * The shipped document for one LANL line: the raw line as `message`, the parsed entities for aggregations, the line
 * number as `event.sequence` (to match offline scores back). LANL times are seconds from `epochMs`.
 */
export function shipped(line: string, lineNo: number, file: string, epochMs: number): Record<string, unknown> {
  const event = lanlEvent(line, { file, line: lineNo });
  return {
    '@timestamp': new Date(epochMs + event.time * 1000).toISOString(),
    message: line,
    event: { sequence: lineNo },
    user: { name: event.entities.user },
    source: { domain: event.entities.src_host },
    destination: { domain: event.entities.dst_host },
    host: { name: event.entities.dst_host },
  };
}

export interface Shipped {
  docs: number;
  seconds: number;
  /** The first and last @timestamp sent, epoch ms. */
  fromMs: number;
  toMs: number;
}

/** Sends the CSV through the proxy into `index`; stops between two bulks when `signal` aborts. */
export async function shipThroughProxy(proxyUrl: string, token: string, index: string, csv: string, epochMs: number, signal?: AbortSignal): Promise<Shipped> {
  let lineNo = 0;
  let docs = 0;
  let body: string[] = [];
  let fromMs = Infinity;
  let toMs = -Infinity;
  const started = performance.now();
  const flush = async () => {
    if (body.length === 0) return;
    const payload = body.join('\n') + '\n';
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const res = await fetch(`${proxyUrl}/${index}/_bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body: payload,
      });
      const answer = (await res.json()) as { errors?: boolean; items?: Array<Record<string, { status?: number; error?: unknown }>> };
      const items = answer.items?.map((i) => Object.values(i)[0]) ?? [];
      if (res.status === 200 && !answer.errors) break;
      // As a shipper does: a busy node (429, or no answer in time: 502-504) is retried, the whole bulk, which the
      // proxy's deterministic ids make an overwrite of whatever the first attempt wrote. Anything else is a failure.
      const busy = RETRY_STATUSES.has(res.status) || (res.status === 200 && items.some((i) => i?.status === 429));
      const delay = RETRY_DELAYS_MS[attempt];
      if (busy && delay !== undefined) {
        log.warn({ status: res.status, attempt: attempt + 1, delay_ms: delay }, 'bulk through the proxy not taken (node busy): retrying it whole');
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      const first = items.map((i) => i?.error).find(Boolean);
      throw new OpenSearchError('demo bulk via the proxy', `HTTP ${res.status}: ${JSON.stringify(first ?? answer).slice(0, 300)}`, res.status, index);
    }
    body = [];
  };
  let lastTime: unknown;
  for await (const line of createInterface({ input: createReadStream(csv), crlfDelay: Infinity })) {
    lineNo += 1;
    if (line.trim() === '' || line.startsWith('time,')) continue;
    const doc = shipped(line, lineNo, csv, epochMs);
    // A bulk ends between two seconds: a second split between two bulks would be ordered within each bulk only
    // (docs/contracts.md, "Canonical order"), and this demo checks that the index holds exactly the offline scores.
    if (body.length >= 2 * BULK_DOCS && doc['@timestamp'] !== lastTime) await flush();
    lastTime = doc['@timestamp'];
    const t = Date.parse(doc['@timestamp'] as string);
    fromMs = Math.min(fromMs, t);
    toMs = Math.max(toMs, t);
    body.push('{"index":{}}', JSON.stringify(doc));
    docs += 1;
  }
  await flush();
  return { docs, seconds: (performance.now() - started) / 1000, fromMs, toMs };
}
