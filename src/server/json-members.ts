// The top-level members of a JSON object's text, found by one iterative scan: no recursion, so a document nested
// thousands deep costs a loop, not the call stack (JSON.stringify of such a document throws RangeError).

export interface JsonMember {
  /** The member's key, decoded. */
  key: string;
  /** Offsets of the member's text, `"key": value`, in the object's text (end exclusive). */
  start: number;
  end: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text.charCodeAt(i))) i += 1;
  return i;
}

/** Offset just past the string starting at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j += 1; // backslash: the next character is escaped
    else if (c === 0x22) return j + 1;
  }
  throw new SyntaxError(`unterminated string at offset ${i}`);
}

/** Offset just past the value starting at `i`: strings skipped whole, brackets counted, never recursed into. */
function valueEnd(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x22) {
      j = stringEnd(text, j);
      if (depth === 0) return j;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth += 1;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return j; // the enclosing object's closing brace: a scalar ended
      depth -= 1;
      if (depth === 0) return j + 1;
    } else if (depth === 0 && (c === 0x2c || WS.has(c))) return j;
    j += 1;
  }
  return j;
}

/**
 * The members of `text`, which must be one JSON object (already validated, e.g. by JSON.parse). Throws SyntaxError
 * on text that is not an object.
 */
export function topLevelMembers(text: string): JsonMember[] {
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== 0x7b) throw new SyntaxError('not a JSON object');
  i = skipWs(text, i + 1);
  const members: JsonMember[] = [];
  while (i < text.length && text.charCodeAt(i) !== 0x7d) {
    const start = i;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) throw new SyntaxError(`expected ':' at offset ${i}`);
    const end = valueEnd(text, skipWs(text, i + 1));
    members.push({ key, start, end });
    i = skipWs(text, end);
    if (text.charCodeAt(i) === 0x2c) i = skipWs(text, i + 1);
  }
  return members;
}
