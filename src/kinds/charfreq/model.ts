// charfreq's scoring: how surprising a message's characters are against what its source usually writes (smoothed
// toward the population, which also stands in for a source training never saw), and which negative terms it holds
// that the source rarely writes. Three statistics, each in units of its mean on held-out normal messages:
//   characters: mean surprisal per character, nats (the message's mix of characters is unusual);
//   unusual:    sum over its distinct characters rarer than `unusual_above` of the excess surprisal (one odd byte);
//   terms:      sum over its distinct negative terms of weight x surprisal of the term appearing in the source.
// raw = mean of the three weighted statistics, as src/scorer/raw-score.ts averages weighted field surprisals.
import type { CanonicalEvent } from '../../core/event.js';
import type { FieldScore } from '../../model/runtime.js';
import { ALPHABET, OTHER, type CharfreqParameters, type SourceCounts, type SourceSpec } from './parameters.js';
import { TermIndex } from './terms.js';

/** The key of the source that wrote an event's message (fields joined by NUL, or the entity's value). */
export function sourceKey(spec: SourceSpec, event: CanonicalEvent): string {
  if ('entity' in spec) return event.entities[spec.entity] ?? '?';
  let key = event.fields[spec.fields[0]!.index] ?? '?';
  for (let i = 1; i < spec.fields.length; i++) key += '\u0000' + (event.fields[spec.fields[i]!.index] ?? '?');
  return key;
}

interface SourceTable {
  /** How the explanation names the source. */
  label: string;
  /** The explanation's `expected` for the message's characters. */
  charactersExpected: string;
  counts: SourceCounts;
  charTotal: number;
  /** (ALPHABET,) nats: -ln P(character class | source). */
  surprise: Float64Array;
  /** Lexicon term index -> weight x -ln P(a message of the source holds it), filled as terms are met (a few per source). */
  termScore: Map<number, number>;
}

export interface CharfreqScore {
  raw: number;
  fields: FieldScore[];
}

/** A character as an analyst can read it in JSON: printable ASCII itself, anything else as U+XXXX. */
function showChar(code: number): string {
  return code > 0x20 && code < 0x7f ? String.fromCharCode(code) : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export class CharfreqModel {
  readonly terms: TermIndex;
  private readonly population: SourceTable;
  private readonly sources = new Map<string, SourceTable>();
  private readonly populationRate: Float64Array;
  // Scratch, reused per message: the distinct unusual character codes and negative terms found.
  private readonly seen = new Uint8Array(ALPHABET);
  private readonly unusual: number[] = [];
  private readonly found: number[] = [];
  private readonly weights: Float64Array;

  constructor(readonly p: CharfreqParameters) {
    this.terms = new TermIndex(Object.keys(p.lexicon));
    this.weights = Float64Array.from(this.terms.terms, (t) => p.lexicon[t] as number);
    const pop = p.population;
    const popTotal = pop.chars.reduce((a, b) => a + b, 0);
    // Add-half smoothing: a class the population never wrote is rare, not impossible.
    this.populationRate = Float64Array.from(pop.chars, (c) => (c + 0.5) / (popTotal + 0.5 * ALPHABET));
    this.population = this.table('all sources (a source training never saw)', pop, popTotal, Float64Array.from(this.populationRate, (r) => -Math.log(r)));
    for (const [key, counts] of Object.entries(p.sources)) {
      const total = counts.chars.reduce((a, b) => a + b, 0);
      const denominator = total + p.prior_chars;
      const surprise = Float64Array.from(counts.chars, (c, k) => -Math.log((c + p.prior_chars * (this.populationRate[k] as number)) / denominator));
      this.sources.set(key, this.table(key.replaceAll('\u0000', ' '), counts, total, surprise));
    }
  }

  private table(label: string, counts: SourceCounts, charTotal: number, surprise: Float64Array): SourceTable {
    return { label, charactersExpected: `the characters of ${label}`, counts, charTotal, surprise, termScore: new Map() };
  }

  /** weight x -ln P(a message of this source holds term t), computed once per source and term. */
  private termScore(table: SourceTable, t: number): number {
    const cached = table.termScore.get(t);
    if (cached !== undefined) return cached;
    const score = (this.weights[t] as number) * this.termSurprise(table, this.terms.terms[t] as string);
    table.termScore.set(t, score);
    return score;
  }

  /** -ln P(a message of this source holds the term), smoothed toward the population's rate. */
  private termSurprise(table: SourceTable, term: string): number {
    const pop = this.p.population;
    const popRate = ((pop.terms[term] ?? 0) + 0.5) / (pop.messages + 1);
    if (table === this.population) return -Math.log(popRate);
    const m = this.p.prior_messages;
    return -Math.log(((table.counts.terms[term] ?? 0) + m * popRate) / (table.counts.messages + m));
  }

  /**
   * The three statistics of a message (characters, unusual, terms), leaving the unusual characters and the negative
   * terms found in the scratch arrays for the explanation; `clear` empties them.
   */
  private measure(table: SourceTable, text: string): [number, number, number] {
    const { surprise } = table;
    const { seen, unusual, found } = this;
    const threshold = this.p.unusual_above;
    const n = text.length;
    let sum = 0;
    let excess = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const k = c < OTHER ? c : OTHER;
      const s = surprise[k] as number;
      sum += s;
      if (s > threshold && seen[k] === 0) {
        seen[k] = 1;
        unusual.push(c);
        excess += s - threshold;
      }
    }
    this.terms.scan(text, found);
    let terms = 0;
    for (let i = 0; i < found.length; i++) terms += this.termScore(table, found[i] as number);
    return [n > 0 ? sum / n : 0, excess, terms];
  }

  private clear(): void {
    for (const c of this.unusual) this.seen[c < OTHER ? c : OTHER] = 0;
    this.unusual.length = 0;
    this.found.length = 0;
  }

  /** The statistics alone (training weighs and calibrates them on held-out messages). */
  statistics(source: string, text: string): [number, number, number] {
    const stats = this.measure(this.sources.get(source) ?? this.population, text);
    this.clear();
    return stats;
  }

  /** raw = mean of the weighted statistics. */
  raw(stats: readonly [number, number, number]): number {
    const [wc, wu, wt] = this.p.weights;
    return (wc * stats[0] + wu * stats[1] + wt * stats[2]) / 3;
  }

  /** Scores one message of `source`; the explanation lists the unusual characters and negative terms, largest share first. */
  score(source: string, text: string): CharfreqScore {
    const table = this.sources.get(source) ?? this.population;
    const stats = this.measure(table, text);
    const [characters] = stats;
    const [wc, wu, wt] = this.p.weights;
    const threshold = this.p.unusual_above;
    const items: { share: number; field: FieldScore }[] = [
      { share: wc * characters, field: { field: 'characters', value: text.length > 200 ? `${text.slice(0, 200)}…` : text, surprisal: characters, expected: table.charactersExpected } },
    ];
    for (const c of this.unusual) {
      const k = c < OTHER ? c : OTHER;
      const s = table.surprise[k] as number;
      items.push({ share: wu * (s - threshold), field: { field: 'unusual_character', value: showChar(c), surprisal: s, expected: `${table.counts.chars[k] ?? 0} in ${table.charTotal} characters of ${table.label}` } });
    }
    for (const t of this.found) {
      const s = this.termScore(table, t);
      const term = this.terms.terms[t] as string;
      items.push({ share: wt * s, field: { field: 'negative_term', value: term, surprisal: s, expected: `in ${table.counts.terms[term] ?? 0} of ${table.counts.messages} messages of ${table.label}` } });
    }
    this.clear();
    // Each item's share of raw decides its place.
    items.sort((a, b) => b.share - a.share);
    return { raw: this.raw(stats), fields: items.map((i) => i.field) };
  }
}
