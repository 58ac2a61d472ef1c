// JSON text built by hand where fast-json-stringify's generic per-property checks cost more than a line's few
// concatenations (score lines, the anomaly fields the proxy splices): numbers and strings as JSON.stringify writes them.

/** A JSON number: a NaN cannot be written (fast-json-stringify threw too), ±Infinity is null as in JSON.stringify. */
export function num(n: number): string {
  if (Number.isFinite(n)) return '' + n;
  if (Number.isNaN(n)) throw new Error(`The value "${n}" cannot be converted to a number.`);
  return 'null';
}

/** A JSON integer: what fast-json-stringify's `integer` wrote (a fraction truncated). */
export function int(n: number): string {
  if (Number.isInteger(n)) return '' + n;
  const t = Math.trunc(n);
  if (!Number.isFinite(t)) throw new Error(`The value "${n}" cannot be converted to an integer.`);
  return '' + t;
}

/**
 * Whether JSON writes `text` with escapes: a quote, a backslash, a control character or a surrogate (JSON.stringify
 * escapes lone ones). Most values (names, hosts, users) need none, and a scan is cheaper than a call into
 * JSON.stringify for each short string.
 */
export function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** A JSON string, as JSON.stringify writes it. */
export function quote(text: string): string {
  return needsEscape(text) ? JSON.stringify(text) : '"' + text + '"';
}
