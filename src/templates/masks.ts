// The preprocessing table of template mining: values that vary between messages of one template (addresses, times,
// numbers, hex codes, paths) are replaced by a named mask before a message is split into tokens, so that the parse
// tree and the similarity compare what a program wrote, not what it wrote about. Applied in table order: a row sees
// what the rows before it left (an IP's digits are gone before the number row runs).

export interface MaskRow {
  readonly name: string;
  readonly pattern: RegExp;
  readonly mask: string;
}

// A value starts where a token or a `key=`, `(`, `[` or `,` ends and stops before punctuation that closes it (a `.`
// or `:` only when no word follows), so `rhost=10.0.0.1`, `[1234]`, `port 22,` and `from 10.0.0.1: 11:` keep their
// words and lose their values.
const START = String.raw`(?<![\w.:/-])`;
const END = String.raw`(?![\w/-]|[.:]\w)`;

export const MASKS: readonly MaskRow[] = Object.freeze([
  // IPv4, optionally with a port: `10.0.0.1`, `10.0.0.1:22`
  { name: 'ip', pattern: new RegExp(`${START}\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d{1,5})?${END}`, 'g'), mask: '<IP>' },
  // a clock time (`04:03:09`, `04:03:09.123`), before the IPv6 row, which would take it for an address
  { name: 'time', pattern: new RegExp(`${START}\\d{1,2}:\\d{2}:\\d{2}(?:\\.\\d+)?${END}`, 'g'), mask: '<TIME>' },
  // IPv6 and MAC addresses: hex groups joined by colons, at least three of them (`fe80::1:2`, `00:1a:2b:3c:4d:5e`)
  { name: 'ip6', pattern: new RegExp(`${START}(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{1,4}${END}`, 'g'), mask: '<IP6>' },
  // 0x-prefixed hex, and bare hex strings of 8+ characters with a digit and a letter (ids, hashes, fingerprints)
  { name: 'hex', pattern: new RegExp(`${START}(?:0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*\\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})${END}`, 'g'), mask: '<HEX>' },
  // absolute paths (`/var/log/messages`, `/dev/pts/0`)
  { name: 'path', pattern: /(?<![\w.:/-])\/[\w.@%+~-]+(?:\/[\w.@%+~-]*)*/g, mask: '<PATH>' },
  // decimal numbers, signed or with a fraction, and colon-joined runs of them (sshd's `port 43327:11:`)
  { name: 'number', pattern: new RegExp(`${START}[-+]?\\d+(?:\\.\\d+)?(?::\\d+)*${END}`, 'g'), mask: '<NUM>' },
]);

/** A message with every row of the table applied, in order. */
export function maskMessage(message: string): string {
  let out = message;
  for (const row of MASKS) out = out.replace(row.pattern, row.mask);
  return out;
}

/** The tokens a message is compared by: masked, split on runs of white space. */
export function tokenize(message: string): string[] {
  const masked = maskMessage(message).trim();
  return masked === '' ? [] : masked.split(/\s+/);
}
