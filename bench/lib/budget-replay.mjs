// The daily alert budget replayed on a scored day: the flags each rate R gives with the threshold alone
// (anomaly_score >= 1 - R) and with the budget (src/scorer/daily-budget.ts, the class the scorer runs), and per day
// what they flag. Used by bench/zeek-detect.mjs and bench/notables.mjs, so both print the same figure.
import { dist } from './ecs-bench.mjs';

const { DailyBudget } = await import(new URL('scorer/daily-budget.js', dist));

export const RATES = [0.001, 0.003, 0.01, 0.02, 0.05];

/**
 * rows: { time (s), score (anomaly_score), rarity (Calibrator.rarity of the raw score) } in the order the scorer saw
 * them. Returns per row the threshold's flag and the budget's, a fresh budget as a sidecar has after its start.
 */
export function flagsAt(rows, rate) {
  const budget = new DailyBudget(rate);
  const plain = rows.map((r) => r.score >= 1 - rate);
  const budgeted = rows.map((r, i) => budget.admit(r.time, r.rarity, plain[i]));
  return { plain, budgeted };
}

/**
 * Per day (dayOf(row)) and rate: events and flagged events, per class in `classes` (classOf(row), e.g. a label) the
 * flagged events of it, and for each counted set (sets: name → row → values, e.g. hosts) the distinct values
 * flagged and how many of them also appear on a row of the first class (a red-team host, a host with a Malicious
 * connection).
 */
export function notablesTable(rows, { dayOf, classOf, classes, sets }) {
  const days = [...new Set(rows.map(dayOf))].sort();
  const badValues = Object.fromEntries(Object.entries(sets).map(([name, of]) => [name, new Set(rows.filter((r) => classOf(r) === classes[0]).flatMap(of))]));
  const out = [];
  for (const rate of RATES) {
    const { plain, budgeted } = flagsAt(rows, rate);
    for (const day of days) {
      const idx = rows.map((_, i) => i).filter((i) => dayOf(rows[i]) === day);
      const row = { day, rate, events: idx.length };
      for (const [mode, flags] of [['threshold', plain], ['budget', budgeted]]) {
        const hit = idx.filter((i) => flags[i]);
        const part = { flagged: hit.length };
        for (const c of classes) part[c] = hit.filter((i) => classOf(rows[i]) === c).length;
        for (const [name, of] of Object.entries(sets)) {
          const values = new Set(hit.flatMap((i) => of(rows[i])));
          part[name] = values.size;
          part[`${classes[0]} ${name}`] = [...values].filter((v) => badValues[name].has(v)).length;
        }
        row[mode] = part;
      }
      out.push(row);
    }
  }
  return out;
}

/**
 * Warm-up, a fresh budget's first events (a sidecar just started): per rate, the flags among the first ceil(1/R)
 * events and over the first hour of event time, with the threshold alone and with the budget.
 */
export function warmUp(rows) {
  return RATES.map((rate) => {
    const { plain, budgeted } = flagsAt(rows, rate);
    const first = Math.ceil(1 / rate);
    const hourEnd = rows[0].time + 3600;
    const inHour = rows.map((r) => r.time < hourEnd);
    const count = (flags, keep) => flags.filter((f, i) => f && keep(i)).length;
    return { rate, first, threshold: count(plain, (i) => i < first), budget: count(budgeted, (i) => i < first),
      hourEvents: inHour.filter(Boolean).length, hourThreshold: count(plain, (i) => inHour[i]), hourBudget: count(budgeted, (i) => inHour[i]) };
  });
}

export function formatWarmUp(rows) {
  return warmUp(rows).map((w) => `warm-up at R = ${w.rate}: first ${w.first} events ${w.threshold} over the threshold, ${w.budget} flagged with the budget; first hour (${w.hourEvents} events) ${w.hourThreshold} and ${w.hourBudget}\n`).join('');
}

/** The table as text: one line per day and rate, the threshold's figures beside the budget's. */
export function formatNotables(title, table) {
  const keys = Object.keys(table[0].threshold);
  const width = keys.map((k) => Math.max(k.length, 6));
  const cell = (p) => keys.map((k, j) => String(p[k]).padStart(width[j])).join(' ');
  const head = keys.map((k, j) => k.padStart(width[j])).join(' ');
  let text = `\n${title}\n${'day'.padEnd(16)} | R      | events | ceil(R×n) | threshold alone: ${head} | with the budget: ${head}\n`;
  for (const r of table) {
    text += `${String(r.day).padEnd(16)} | ${String(r.rate).padEnd(6)} | ${String(r.events).padStart(6)} | ${String(Math.ceil(r.rate * r.events)).padStart(9)} | ${' '.repeat(17)}${cell(r.threshold)} | ${' '.repeat(17)}${cell(r.budget)}\n`;
  }
  return text;
}
