// Character-level text pieces: the text's UTF-8 bytes, a printable ASCII byte as itself and any other as `\xNN`, so
// the alphabet is bounded at 256 whatever the text holds (a multi-byte character is its bytes).
import type { TextPiecer } from './text-tokens.js';

const encoder = new TextEncoder();

/** 256 names, one per byte: `!`..`~` as themselves, space, controls and non-ASCII bytes as `\x20`, `\xc3`. */
const BYTE_NAMES: readonly string[] = Object.freeze(
  Array.from({ length: 256 }, (_, b) => (b > 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)),
);

export const charPiecer: TextPiecer = Object.freeze({
  pieces(text: string): string[] {
    return Array.from(encoder.encode(text), (b) => BYTE_NAMES[b] as string);
  },
});
