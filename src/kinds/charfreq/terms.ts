// Finds the negative terms of a message without allocating a string per word: words are runs of ASCII letters, hashed
// (FNV-1a, lower-cased) as they are read and looked up in an open-addressing table of the lexicon's hashes (typed
// arrays: no Map lookup, no boxed number per word), and compared letter by letter only when a hash matches. This is
// what keeps charfreq above 200,000 messages/s (bench/charfreq.mjs).

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashWord(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ (word.charCodeAt(i) | 0x20), FNV_PRIME);
  return h | 0;
}

/** Whether text[start, start + word.length) spells the lower-case `word`, case-insensitively. */
function spells(text: string, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((text.charCodeAt(start + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

export class TermIndex {
  readonly terms: readonly string[];
  private readonly mask: number;
  /** Per slot: the term's hash, and its index + 1 (0 = empty slot). */
  private readonly hashes: Int32Array;
  private readonly slots: Int32Array;

  /** `terms`: lower-case words of letters a-z (the lexicon's keys). */
  constructor(terms: Iterable<string>) {
    this.terms = [...terms];
    let size = 16;
    while (size < this.terms.length * 4) size *= 2; // at most a quarter full: short probes
    this.mask = size - 1;
    this.hashes = new Int32Array(size);
    this.slots = new Int32Array(size);
    this.terms.forEach((term, i) => {
      const h = hashWord(term);
      let s = h & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.hashes[s] = h;
      this.slots[s] = i + 1;
    });
  }

  /** The index of the lexicon term text[start, end) spells, or -1. */
  private lookup(text: string, start: number, end: number, h: number): number {
    const { hashes, slots, mask } = this;
    for (let s = h & mask; slots[s] !== 0; s = (s + 1) & mask) {
      if (hashes[s] !== h) continue;
      const i = (slots[s] as number) - 1;
      const term = this.terms[i] as string;
      if (term.length === end - start && spells(text, start, term)) return i;
    }
    return -1;
  }

  /** Appends to `found` the index of each lexicon term the text holds as a whole word, once, in order of first appearance. */
  scan(text: string, found: number[]): void {
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
        const t = this.lookup(text, start, i, h);
        if (t >= 0 && !found.includes(t)) found.push(t);
        start = -1;
      }
    }
  }
}
