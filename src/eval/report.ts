// The self-contained HTML evaluation report: summary, ROC (log and linear FPR), PR curve, top-ranked events.
import { escapeHtml as esc } from './escape.js';
import { lineChart, type Series } from './svg.js';
import { formatMetric, type Summary } from './summary.js';
import type { TopEvent } from './types.js';

export interface CurveSet {
  name: string;
  roc: { x: ArrayLike<number>; y: ArrayLike<number> };
  pr: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** The comparison rule, drawn dashed grey so models stand out. */
  baseline: boolean;
}

export interface ReportInput {
  summary: Summary;
  curves: CurveSet[];
  /** Top-ranked events of the first model, with their explanations. */
  top: { model: string; events: TopEvent[] } | null;
  generatedAt: string;
}

// Colour-blind-safe (Okabe-Ito) so red team vs. not never relies on hue alone in the charts.
const PALETTE = Object.freeze(['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000']);
const BASELINE_COLOR = '#7f7f7f';
const CHANCE_COLOR = '#bbbbbb';
/** Seconds below this are relative (LANL starts at 1); above it they are epoch seconds (after 1973). */
const EPOCH_THRESHOLD = 1e8;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:24px auto;max-width:1240px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
.meta{color:#5b6575;margin:0 0 12px}.notes li{color:#8a5300}
table{border-collapse:collapse}th,td{padding:5px 9px;text-align:left;vertical-align:top}
table.sum th,table.sum td{border-bottom:1px solid #e3e7ee}table.sum td.n{text-align:right;font-variant-numeric:tabular-nums}
table.sum tr.base td{color:#5b6575;font-style:italic}.best{font-weight:700}
.help{color:#5b6575;font-size:12.5px;max-width:980px}
.charts{display:flex;flex-wrap:wrap;gap:14px}.chart{background:#fff;border:1px solid #e3e7ee;border-radius:6px}
.grid{stroke:#edf0f4;stroke-width:1}.frame{fill:none;stroke:#9aa3b0}.tk{font-size:11px;fill:#5b6575}
.al{font-size:12px;fill:#1d2430}.ttl{font-size:14px;font-weight:600;fill:#1d2430}.lg{font-size:12px;fill:#1d2430}
.marker{stroke:#c0392b;stroke-dasharray:3 3}.mk{font-size:11px;fill:#c0392b}
table.top>tbody>tr>td{border-bottom:1px solid #e3e7ee}table.top>thead th{border-bottom:2px solid #c9d0db;font-size:12.5px;color:#5b6575}
table.top tr.red>td{background:#fff3f1}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:11.5px;font-weight:700;white-space:nowrap}
.badge.red{background:#c0392b;color:#fff}.badge.no{background:#e9edf2;color:#5b6575}
table.why td{padding:1px 6px;font-size:12.5px}.bar{display:inline-block;height:9px;background:#D55E00;border-radius:2px;vertical-align:middle}
.why .exp{color:#5b6575}.why tr.same td{color:#8b94a3}.why tr.same .bar{background:#c9d0db}.small{font-size:12px;color:#5b6575}
`;

function formatTime(t: number): string {
  if (Math.abs(t) >= EPOCH_THRESHOLD) return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  const s = Math.floor(t);
  const day = Math.floor(s / 86400);
  const rem = s - day * 86400;
  const hms = [Math.floor(rem / 3600), Math.floor((rem % 3600) / 60), rem % 60].map((v) => String(v).padStart(2, '0')).join(':');
  return `${t} s (day ${day}, ${hms})`;
}

function percent(v: number): string {
  return `${Number((v * 100).toPrecision(3))}%`;
}

function summaryTable(summary: Summary): string {
  const keys = ['auc', 'ap', 'tprAtFpr', 'precisionAtRecall'] as const;
  const best = keys.map((k) => Math.max(...summary.models.map((m) => m[k] ?? -Infinity)));
  const rows = summary.models.map((m) => {
    const cells = keys.map((k, i) => `<td class="n${m[k] !== null && m[k] === best[i] ? ' best' : ''}">${formatMetric(m[k])}</td>`).join('');
    const cls = m.name.startsWith('rarity-baseline') ? ' class="base"' : '';
    return `<tr${cls}><td>${esc(m.name)}</td><td class="n">${m.events}</td><td class="n">${m.positives}</td>${cells}<td class="n">${m.errors}</td><td class="mono small">${esc(m.source)}</td></tr>`;
  });
  return `<table class="sum"><thead><tr><th>model</th><th>events</th><th>positives</th><th>AUC</th><th>AP</th><th>TPR@0.1%FPR</th><th>P@R0.1</th><th>unscored</th><th>source</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="help"><b>AUC</b>: chance a random red-team event outranks a random normal one (0.5 = guessing). <b>AP</b>: average precision over the ranking (chance level = share of red-team events). <b>TPR@0.1%FPR</b>: share of red-team events caught at the lowest threshold that flags at most 1 in 1,000 normal events. <b>P@R0.1</b>: share of alerts that are red team when the threshold is set to catch 10% of the red-team events. <b>unscored</b>: records without a score (error lines), excluded. Best value per column in bold.</p>`;
}

function charts(input: ReportInput): string {
  const series = (pick: (c: CurveSet) => { x: ArrayLike<number>; y: ArrayLike<number> }): Series[] => {
    let k = 0;
    return input.curves.map((c) => ({ name: c.name, ...pick(c), color: c.baseline ? BASELINE_COLOR : (PALETTE[k++ % PALETTE.length] as string), dashed: c.baseline }));
  };
  const negatives = Math.max(1, ...input.summary.models.map((m) => m.events - m.positives));
  const fprMin = 10 ** Math.floor(Math.log10(1 / negatives));
  const logGrid = Array.from({ length: 61 }, (_, i) => 10 ** (Math.log10(fprMin) * (1 - i / 60)));
  const chanceLog: Series = { name: 'chance', x: logGrid, y: logGrid, color: CHANCE_COLOR, dashed: true, width: 1 };
  const chance: Series = { name: 'chance', x: [0, 1], y: [0, 1], color: CHANCE_COLOR, dashed: true, width: 1 };
  const first = input.summary.models[0];
  const prevalence = first && first.events > 0 ? first.positives / first.events : 0;
  const prChance: Series = { name: `chance (${percent(prevalence)} red team)`, x: [0, 1], y: [prevalence, prevalence], color: CHANCE_COLOR, dashed: true, width: 1 };
  const unitAxis = { scale: 'linear' as const, min: 0, max: 1 };
  // Three 400px charts fit one row of the 1240px page, so ROC and PR can be compared side by side.
  const size = { width: 400, height: 340 };
  const rocLog = lineChart({
    title: 'ROC, low false-positive region',
    ...size,
    x: { label: 'false positive rate', scale: 'log', min: fprMin, max: 1, format: percent },
    y: { label: 'true positive rate (red team caught)', ...unitAxis },
    series: [...series((c) => c.roc), chanceLog],
    markers: [{ x: 0.001, label: '0.1% FPR' }],
  });
  const rocLin = lineChart({
    title: 'ROC',
    ...size,
    x: { label: 'false positive rate', ...unitAxis },
    y: { label: 'true positive rate', ...unitAxis },
    series: [...series((c) => c.roc), chance],
  });
  const pr = lineChart({
    title: 'Precision-recall',
    ...size,
    x: { label: 'recall (red team caught)', ...unitAxis },
    y: { label: 'precision (alerts that are red team)', ...unitAxis },
    series: [...series((c) => c.pr), prChance],
  });
  return `<div class="charts">${rocLog}${rocLin}${pr}</div>`;
}

function explanation(event: TopEvent, maxSurprisal: number): string {
  const rows = event.fields.map((f) => {
    // A compact line (below --explain-above) names the field and value only.
    if (f.surprisal === undefined) return `<tr><td>${esc(f.field)}</td><td class="mono">${esc(f.value)}</td><td></td><td class="mono">-</td><td class="exp">${f.expected === undefined ? '' : `expected <span class="mono">${esc(f.expected)}</span>`}</td></tr>`;
    const width = maxSurprisal > 0 ? Math.max(1, Math.round((Math.max(0, f.surprisal) / maxSurprisal) * 140)) : 1;
    const same = f.value === f.expected ? ' class="same"' : '';
    return `<tr${same}><td>${esc(f.field)}</td><td class="mono">${esc(f.value)}</td><td><span class="bar" style="width:${width}px"></span></td><td class="mono">${f.surprisal.toFixed(2)}</td><td class="exp">expected <span class="mono">${esc(f.expected ?? '')}</span></td></tr>`;
  });
  return `<table class="why">${rows.join('')}</table>`;
}

function topTable(top: NonNullable<ReportInput['top']>): string {
  const maxSurprisal = Math.max(0, ...top.events.flatMap((e) => e.fields.map((f) => f.surprisal ?? 0)));
  const rows = top.events.map((e) => {
    const badge = e.label ? '<span class="badge red">RED TEAM</span>' : '<span class="badge no">not labelled</span>';
    const { user, src_host: src, dst_host: dst, ...other } = e.entities;
    const extra = Object.entries(other).map(([k, v]) => `<div class="small">${esc(k)}: <span class="mono">${esc(v)}</span></div>`).join('');
    return `<tr${e.label ? ' class="red"' : ''}><td class="n">${e.rank}</td><td class="mono">${esc(formatTime(e.time))}<div class="small">input line ${e.line}</div></td><td class="mono">${esc(user ?? '?')}</td><td class="mono">${esc(src ?? '?')} → ${esc(dst ?? '?')}${extra}</td><td class="mono">${e.anomalyScore.toFixed(6)}<div class="small">raw ${e.raw.toFixed(3)}</div></td><td>${badge}</td><td>${explanation(e, maxSurprisal)}</td></tr>`;
  });
  const red = top.events.filter((e) => e.label).length;
  return `<h2>Top ${top.events.length} events of ${esc(top.model)} (${red} red team)</h2>
<p class="help">Highest ranked first. The explanation lists each field's surprisal (nats; longer bar = more unexpected for this user) and the value the model expected; greyed rows are fields whose value was the expected one.</p>
<table class="top"><thead><tr><th>#</th><th>time</th><th>user</th><th>source → destination</th><th>score</th><th>label</th><th>why it scored high</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderReport(input: ReportInput): string {
  const { summary } = input;
  const unmatched = summary.labels.lines - summary.labels.matched;
  const notes = summary.notes.map((n) => `<li>${esc(n)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>SeqSentry evaluation</title><style>${CSS}</style></head><body>
<h1>SeqSentry evaluation</h1>
<p class="meta">Labels <span class="mono">${esc(summary.labels.file)}</span>: ${summary.labels.lines} lines, ${summary.labels.matched} matched a scored event, ${unmatched} matched none. Generated ${esc(input.generatedAt)}.</p>
${notes ? `<ul class="notes">${notes}</ul>` : ''}
<h2>Summary</h2>
${summaryTable(summary)}
<h2>Curves</h2>
${charts(input)}
${input.top ? topTable(input.top) : ''}
</body></html>
`;
}
