// Forwards a bulk to OpenSearch in parts that each fit its request limit (http.max_content_length), in order, and
// lines the answers up with the items again. Only one part's text is held at a time, so memory stays bounded.
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
  /** Every part answered 2xx. `answers` lines up with the forwarded items (null: an answer without its items). */
  | { kind: 'answered'; answers: Array<Record<string, unknown>> | null; took: number; only: ForwardResponse | null; tooLarge: BulkItem[] }
  /** Part `part` (0-based) answered an error status; parts before it were written, later ones not sent. */
  | { kind: 'status'; response: ForwardResponse; part: number; tooLarge: BulkItem[] }
  /** Part `part` got no answer; parts before it were written, later ones not sent. */
  | { kind: 'unreachable'; error: OpenSearchUnreachableError; part: number; tooLarge: BulkItem[] };

/** The bulk answer's items, if it is one for exactly `count` items. */
function answerItems(res: ForwardResponse, count: number): { items: Array<Record<string, unknown>>; took: number } | null {
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { items?: unknown; took?: unknown };
    if (!Array.isArray(parsed.items) || parsed.items.length !== count) return null;
    return { items: parsed.items as Array<Record<string, unknown>>, took: typeof parsed.took === 'number' ? parsed.took : 0 };
  } catch {
    return null;
  }
}

/**
 * Sends the items in order, packing as many as fit `maxBytes` into each request. An item that alone exceeds the
 * limit (once its anomaly fields are added) is not sent and comes back in `tooLarge`. Stops at the first part that
 * fails, since the shipper will send the whole bulk again.
 */
export async function forwardInParts(items: readonly ForwardItem[], target: ForwardTarget): Promise<ForwardOutcome> {
  const tooLarge: BulkItem[] = [];
  const answers: Array<Record<string, unknown>> = [];
  let aligned = true;
  let took = 0;
  let parts = 0;
  let only: ForwardResponse | null = null;
  let texts: string[] = [];
  let partItems: BulkItem[] = [];
  let bytes = 0;

  const send = async (): Promise<ForwardOutcome | null> => {
    const body = texts.join('');
    texts = [];
    const sent = partItems;
    partItems = [];
    bytes = 0;
    let res: ForwardResponse;
    try {
      res = await target.opensearch.request({ method: 'POST', path: target.path, headers: target.headers, body });
    } catch (err) {
      if (!(err instanceof OpenSearchUnreachableError)) throw err;
      return { kind: 'unreachable', error: err, part: parts, tooLarge };
    }
    if (res.status >= 300) return { kind: 'status', response: res, part: parts, tooLarge };
    parts += 1;
    only = parts === 1 ? res : null;
    const answered = answerItems(res, sent.length);
    if (answered) {
      answers.push(...answered.items);
      took += answered.took;
    } else aligned = false;
    return null;
  };

  for (const f of items) {
    const text = f.render();
    const size = Buffer.byteLength(text);
    if (size > target.maxBytes) {
      tooLarge.push(f.item);
      continue;
    }
    if (bytes + size > target.maxBytes) {
      const failed = await send();
      if (failed) return failed;
    }
    texts.push(text);
    partItems.push(f.item);
    bytes += size;
  }
  if (partItems.length > 0) {
    const failed = await send();
    if (failed) return failed;
  }
  return { kind: 'answered', answers: aligned ? answers : null, took, only: parts === 1 ? only : null, tooLarge };
}
