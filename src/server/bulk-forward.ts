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
  /** About how many bytes the items come to (the request they came in and their anomaly fields), for the first part's buffer. */
  sizeHint?: number;
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
 * The part being packed, as UTF-8 bytes in one buffer that grows by doubling: each item's text is written into it
 * once, where it will be sent (a Buffer per item, then one copy of them all into the body, took 1.4x the CPU and
 * left a thousand small buffers per bulk to the garbage collector).
 */
class PartBuffer {
  private buf: Buffer;
  /** Bytes written. */
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Writes `text` after the bytes already there; returns its byte length. */
  write(text: string): number {
    // a UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4); only where that bound
    // does not fit is the text measured
    if (this.length + 3 * text.length > this.buf.length && this.length + Buffer.byteLength(text, 'utf8') > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.length + 3 * text.length, 2 * this.buf.length));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const n = this.buf.write(text, this.length, 'utf8');
    this.length += n;
    return n;
  }

  /** A view of the bytes from `start` to `end` (not a copy). */
  bytes(start = 0, end = this.length): Buffer {
    return this.buf.subarray(start, end);
  }

  /**
   * A new part holding the bytes from `start` on (the item that did not fit the part just sent). The sent body stays
   * the bytes it was: nothing written later lands in its buffer.
   */
  rest(start: number): PartBuffer {
    const next = new PartBuffer(Math.max(this.buf.length, this.length - start));
    this.buf.copy(next.buf, 0, start, this.length);
    next.length = this.length - start;
    return next;
  }
}

/**
 * Sends the items in order, packing as many as fit `maxBytes` into each request. An item that alone exceeds the
 * limit (once its anomaly fields are added) is not sent and comes back in `tooLarge`. Stops at the first part that
 * fails, since the shipper will send the whole bulk again. Each item's text ends with its line end, so no character
 * spans two items and encoding them one after the other writes the bytes of their joined text.
 */
export async function forwardInParts(items: readonly ForwardItem[], target: ForwardTarget): Promise<ForwardOutcome> {
  const tooLarge: BulkItem[] = [];
  const responses: ForwardResponse[] = [];
  const counts: number[] = [];
  let clean = true;
  let part = new PartBuffer(Math.min(target.maxBytes, Math.max(64 * 1024, target.sizeHint ?? 0)));
  let partItemsSent: BulkItem[] = [];

  /** Sends the part's first `end` bytes. */
  const send = async (end: number): Promise<ForwardOutcome | null> => {
    const body = part.bytes(0, end);
    const sent = partItemsSent;
    partItemsSent = [];
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
    const start = part.length;
    const size = part.write(f.render());
    if (size > target.maxBytes) {
      part.length = start;
      tooLarge.push(f.item);
      continue;
    }
    if (part.length > target.maxBytes) {
      const failed = await send(start);
      if (failed) return failed;
      part = part.rest(start);
    }
    partItemsSent.push(f.item);
  }
  if (partItemsSent.length > 0) {
    const failed = await send(part.length);
    if (failed) return failed;
  }
  return { kind: 'answered', responses, counts, clean, only: responses.length === 1 ? (responses[0] as ForwardResponse) : null, tooLarge };
}
