// Finds the negative terms of a message without allocating a string per word: words are runs of ASCII letters, hashed
// (FNV-1a, lower-cased) as they are read, and compared with the lexicon's words only when a hash matches. This is
// what keeps charfreq above 200,000 messages/s (bench/charfreq.mjs).

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashWord(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ (word.charCodeAt(i) | 0x20), FNV_PRIME);
  return h >>> 0;
}

/** Whether text[start, start + word.length) spells the lower-case `word`, case-insensitively. */
function spells(text: string, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((text.charCodeAt(start + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

export class TermIndex {
  private readonly byHash = new Map<number, string[]>();

  /** `terms`: lower-case words of letters a-z (the lexicon's keys). */
  constructor(terms: Iterable<string>) {
    for (const term of terms) {
      const h = hashWord(term);
      const same = this.byHash.get(h);
      if (same) same.push(term);
      else this.byHash.set(h, [term]);
    }
  }

  /** Appends to `found` each lexicon term the text holds as a whole word, once, in order of first appearance. */
  scan(text: string, found: string[]): void {
    const n = text.length;
    let h = FNV_OFFSET;
    let start = -1;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 0;
      const lower = c | 0x20;
      // A-Z and a-z are exactly the codes whose lower-case bit set gives 97..122 (c >= 65 excludes 33..58).
      if (lower >= 97 && lower <= 122 && c >= 65) {
        if (start < 0) {
          start = i;
          h = FNV_OFFSET;
        }
        h = Math.imul(h ^ lower, FNV_PRIME);
      } else if (start >= 0) {
        const candidates = this.byHash.get(h >>> 0);
        if (candidates) {
          for (const term of candidates) if (term.length === i - start && spells(text, start, term) && !found.includes(term)) found.push(term);
        }
        start = -1;
      }
    }
  }
}
