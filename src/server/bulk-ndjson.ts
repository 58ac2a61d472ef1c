// Parses an OpenSearch _bulk body (NDJSON: action line, then a source line for index/create/update) with line numbers.
import { HttpError } from './http-errors.js';

export type BulkAction = 'index' | 'create' | 'update' | 'delete';
const ACTIONS: ReadonlySet<string> = new Set(['index', 'create', 'update', 'delete']);

export interface BulkItem {
  action: BulkAction;
  /** The action line as received (without its line end). */
  actionText: string;
  /** 1-based line of the action in the request body. */
  actionLine: number;
  /** Target index: the action's _index, else the one in the URL path. */
  index: string | undefined;
  /** The action's metadata object (`_index`, `_id`, `routing`...). */
  meta: Record<string, unknown>;
  /** The document (index/create) or partial update (update); absent for delete. */
  source?: { text: string; line: number; doc: Record<string, unknown> };
  /**
   * Why the source line cannot be a document (not JSON, or not a JSON object): the item is refused on its own, as
   * OpenSearch refuses it (400 at its place in the answer), and `source.doc` is empty. Absent for a readable item.
   */
  invalid?: string;
}

function malformed(reason: string): HttpError {
  return new HttpError(400, 'illegal_argument_exception', reason, 'bad_request');
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An action line's action and metadata object; throws the 400 naming the line when it is not one. */
function actionOf(actionText: string, lineNo: number): { action: string; meta: Record<string, unknown> } {
  const parsed = parseJson(actionText);
  if ('error' in parsed) throw malformed(`Malformed action/metadata line [${lineNo}]: not JSON (${parsed.error})`);
  const keys = isObject(parsed.value) ? Object.keys(parsed.value) : [];
  if (!isObject(parsed.value) || keys.length !== 1) {
    throw malformed(`Malformed action/metadata line [${lineNo}], expected an object with one field [create], [delete], [index] or [update]`);
  }
  const action = keys[0] as string;
  if (!ACTIONS.has(action)) throw malformed(`Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${action}]`);
  const meta = parsed.value[action];
  if (!isObject(meta)) throw malformed(`Malformed action/metadata line [${lineNo}], the [${action}] field must hold an object`);
  return { action, meta };
}

/**
 * Splits and checks the whole body before anything is forwarded: a malformed action line, or an action without its
 * source line, rejects the request with a 400 naming the line (OpenSearch does the same: the items after it cannot be
 * told apart), so a shipper never gets half a bulk written. A source line that is not a JSON object fails only its
 * own item (`invalid`), as in OpenSearch. Blank lines between items are skipped.
 */
export function parseBulk(body: string, pathIndex: string | undefined, maxItems = Number.POSITIVE_INFINITY): BulkItem[] {
  const lines = body.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const actionText = stripCr(lines[i] as string);
    if (actionText.trim() === '') continue;
    const lineNo = i + 1;
    if (items.length >= maxItems) {
      throw new HttpError(413, 'content_too_long_exception', `bulk has more than ${maxItems} items (bulk.max_items; item ${maxItems + 1} starts on line [${lineNo}]): send it in smaller bulks`, 'too_large');
    }
    const { action, meta } = actionOf(actionText, lineNo);
    if (meta._index !== undefined && typeof meta._index !== 'string') throw malformed(`Action/metadata line [${lineNo}]: _index must be a string`);
    const item: BulkItem = { action: action as BulkAction, actionText, actionLine: lineNo, index: (meta._index as string | undefined) ?? pathIndex, meta };
    if (action !== 'delete') {
      const sourceText = i + 1 < lines.length ? stripCr(lines[i + 1] as string) : '';
      if (sourceText.trim() === '') throw malformed(`Action/metadata line [${lineNo}] has no source line: [${action}] needs the document on line [${lineNo + 1}]`);
      const source = parseJson(sourceText);
      if ('error' in source) item.invalid = `_bulk:${lineNo + 1}: the source line of the [${action}] action on line [${lineNo}] is not JSON (${source.error}); nothing of this item was written`;
      else if (!isObject(source.value)) item.invalid = `_bulk:${lineNo + 1}: the source line of the [${action}] action on line [${lineNo}] must be a JSON object; nothing of this item was written`;
      item.source = { text: sourceText, line: lineNo + 1, doc: item.invalid === undefined ? (source as { value: Record<string, unknown> }).value : {} };
      i += 1;
    }
    items.push(item);
  }
  if (items.length === 0) throw new HttpError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;', 'bad_request');
  return items;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * The body as text, decoded once, and the 1-based numbers of its lines that are not valid UTF-8 (empty when all
 * are). Lossy decoding turns those into U+FFFD silently, so the document written would not be the one sent;
 * OpenSearch itself rejects such a line, so the caller refuses their items.
 */
export function decodeBulkBody(body: Buffer): { text: string; badLines: Set<number> } {
  const badLines = new Set<number>();
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: strict.decode(body), badLines };
  } catch {
    // find the lines: 0x0A never occurs inside a UTF-8 sequence, so splitting the bytes on it is safe
  }
  let start = 0;
  for (let line = 1; start <= body.length; line++) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    try {
      strict.decode(body.subarray(start, end));
    } catch {
      badLines.add(line);
    }
    start = end + 1;
  }
  // Decoded as the strict decoder would have: without a byte order mark in front (TextDecoder drops it by default).
  const text = body.toString('utf8');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, badLines };
}
