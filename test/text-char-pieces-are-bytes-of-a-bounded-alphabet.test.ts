// Character-level text tokens: a text's UTF-8 bytes, printable ASCII as itself and every other byte as `\xNN`, so
// no text, however exotic, has more than 256 distinct values per position; real sshd messages keep their letters.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import { charPiecer } from '../src/tokenizer/text-char.js';
import { hasSharedData, shared } from './support/env.js';

describe('char text pieces', () => {
  it('spells a text byte by byte, spaces, controls and multi-byte characters as \\xNN', () => {
    expect(charPiecer.pieces('GET /ä\tb')).toEqual(['G', 'E', 'T', '\\x20', '/', '\\xc3', '\\xa4', '\\x09', 'b']);
    expect(charPiecer.pieces('')).toEqual([]);
  });

  it('gives at most 256 distinct pieces over every code point', () => {
    const all = new Set<string>();
    for (let cp = 0; cp < 0x110000; cp += cp < 0x800 ? 1 : 97) {
      if (cp >= 0xd800 && cp < 0xe000) continue; // lone surrogates are not text
      for (const p of charPiecer.pieces(String.fromCodePoint(cp))) all.add(p);
    }
    expect(all.size).toBeLessThanOrEqual(256);
    expect(all.size).toBeGreaterThan(200);
  });

  it.runIf(hasSharedData())('keeps a real sshd message readable: its letters as themselves', async () => {
    for await (const item of readEvents([shared('linux', 'ubuntu-internet-host-auth.log')], createAdapter('authlog'))) {
      const text = item.event?.text;
      if (text === undefined || !text.startsWith('Accepted')) continue;
      const pieces = charPiecer.pieces(text);
      expect(pieces.length).toBe(Buffer.byteLength(text));
      expect(pieces.slice(0, 9)).toEqual(['A', 'c', 'c', 'e', 'p', 't', 'e', 'd', '\\x20']);
      return;
    }
    throw new Error('no Accepted message in the sample');
  });
});
