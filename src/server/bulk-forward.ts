// Forwards a bulk to OpenSearch in parts that each fit its request limit (http.max_content_length), in order, and
// lines the answers up with the items again. Only one part's request body is held at a time, so memory stays bounded.
import { OpenSearchUnreachableError, type ForwardResponse, type OpenSearchHttp } from '../opensearch/http.js';
import type { BulkItem } from './bulk-ndjson.js';

/** One item as forwarded: rendered when its part is packed (action line, source line, each with its `\n`). */
export interface ForwardItem {
  item: BulkItem;
  render(): string;
}

export interface ForwardTarget {
  opensearch: OpenSearchHttp;
  path: string;
  headers: Record<string, string>;
  /** Largest request body sent, in bytes. */
  maxBytes: number;
}

export type ForwardOutcome =
  /**
   * Every part answered 2xx: `responses` in order, `counts[i]` the items sent in part i. `clean` when every answer
   * says `"errors":false` (then no item failed); answerItems() parses the answers only where that is not enough.
   */
  | { kind: 'answered'; responses: ForwardResponse[]; counts: number[]; clean: boolean; only: ForwardResponse | null; tooLarge: BulkItem[] }
  /** Part `part` (0-based) answered an error status; parts before it were written, later ones not sent. */
  | { kind: 'status'; response: ForwardResponse; part: number; tooLarge: BulkItem[] }
  /** Part `part` got no answer; parts before it were written, later ones not sent. */
  | { kind: 'unreachable'; error: OpenSearchUnreachableError; part: number; tooLarge: BulkItem[] };

type Answered = Extract<ForwardOutcome, { kind: 'answered' }>;

/** One part's bulk answer items, if it is an answer for exactly `count` items. */
function partItems(res: ForwardResponse, count: number): { items: Array<Record<string, unknown>>; took: number } | null {
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { items?: unknown; took?: unknown };
    if (!Array.isArray(parsed.items) || parsed.items.length !== count) return null;
    return { items: parsed.items as Array<Record<string, unknown>>, took: typeof parsed.took === 'number' ? parsed.took : 0 };
  } catch {
    return null;
  }
}

/**
 * The answers of every part parsed and lined up with the forwarded items (`answers` null when some part's answer
 * does not list one item per action), and the sum of their `took`.
 */
export function answerItems(outcome: Answered): { answers: Array<Record<string, unknown>> | null; took: number } {
  const answers: Array<Record<string, unknown>> = [];
  let aligned = true;
  let took = 0;
  outcome.responses.forEach((res, i) => {
    const part = partItems(res, outcome.counts[i] as number);
    if (!part) {
      aligned = false;
      return;
    }
    for (const item of part.items) answers.push(item);
    took += part.took;
  });
  return { answers: aligned ? answers : null, took };
}

/**
 * OpenSearch's bulk answer begins `{"took":N,"errors":false,` (`"ingest_took":N,` between them with a pipeline) when
 * no item failed; the head is read, not the ~100 bytes per item after it. Anything else is parsed as before.
 */
const CLEAN_HEAD = /^\{"took":\d+,(?:"ingest_took":\d+,)?"errors":false,/;
const saysNoErrors = (res: ForwardResponse): boolean => CLEAN_HEAD.test(res.body.toString('latin1', 0, 64));

/**
 * Sends the items in order, packing as many as fit `maxBytes` into each request. An item that alone exceeds the
 * limit (once its anomaly fields are added) is not sent and comes back in `tooLarge`. Stops at the first part that
 * fails, since the shipper will send the whole bulk again.
 */
export async function forwardInParts(items: readonly ForwardItem[], target: ForwardTarget): Promise<ForwardOutcome> {
  const tooLarge: BulkItem[] = [];
  const responses: ForwardResponse[] = [];
  const counts: number[] = [];
  let clean = true;
  // The part being packed: each item's UTF-8 bytes, encoded once (its size and the body sent come from them).
  let chunks: Buffer[] = [];
  let partItemsSent: BulkItem[] = [];
  let bytes = 0;

  const send = async (): Promise<ForwardOutcome | null> => {
    const body = Buffer.concat(chunks, bytes);
    chunks = [];
    const sent = partItemsSent;
    partItemsSent = [];
    bytes = 0;
    let res: ForwardResponse;
    try {
      res = await target.opensearch.request({ method: 'POST', path: target.path, headers: target.headers, body });
    } catch (err) {
      if (!(err instanceof OpenSearchUnreachableError)) throw err;
      return { kind: 'unreachable', error: err, part: responses.length, tooLarge };
    }
    if (res.status >= 300) return { kind: 'status', response: res, part: responses.length, tooLarge };
    responses.push(res);
    counts.push(sent.length);
    if (clean && !saysNoErrors(res)) clean = false;
    return null;
  };

  for (const f of items) {
    const chunk = Buffer.from(f.render(), 'utf8');
    const size = chunk.length;
    if (size > target.maxBytes) {
      tooLarge.push(f.item);
      continue;
    }
    if (bytes + size > target.maxBytes) {
      const failed = await send();
      if (failed) return failed;
    }
    chunks.push(chunk);
    partItemsSent.push(f.item);
    bytes += size;
  }
  if (partItemsSent.length > 0) {
    const failed = await send();
    if (failed) return failed;
  }
  return { kind: 'answered', responses, counts, clean, only: responses.length === 1 ? (responses[0] as ForwardResponse) : null, tooLarge };
}
