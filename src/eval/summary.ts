// The evaluation summary as one plain object, printed as a fixed-width table or written as JSON.
import type { RankingMetrics } from './metrics.js';

export interface ModelRow extends RankingMetrics {
  name: string;
  source: string;
  /** Records without a score (error lines / unreadable log records), excluded from the metrics. */
  errors: number;
  /** Label lines matched by at least one of this model's events. */
  labelsMatched: number;
}

export interface Summary {
  models: ModelRow[];
  labels: { file: string; lines: number; matched: number };
  /** Things the reader must know to trust the numbers (unmatched labels, skipped pairs, error lines). */
  notes: string[];
}

export const COLUMNS = Object.freeze(['model', 'events', 'positives', 'AUC', 'AP', 'TPR@0.1%FPR', 'P@R0.1'] as const);

export function formatMetric(value: number | null, digits = 4): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

function tableCells(row: ModelRow): string[] {
  return [row.name, String(row.events), String(row.positives), formatMetric(row.auc), formatMetric(row.ap), formatMetric(row.tprAtFpr), formatMetric(row.precisionAtRecall)];
}

/** Fixed-width text table: name left-aligned, numbers right-aligned. */
export function formatTable(rows: readonly ModelRow[]): string {
  const cells = [COLUMNS.slice(), ...rows.map(tableCells)];
  const widths = COLUMNS.map((_, c) => Math.max(...cells.map((r) => (r[c] as string).length)));
  const fmt = (r: string[]): string => r.map((v, c) => (c === 0 ? v.padEnd(widths[c] as number) : v.padStart(widths[c] as number))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [fmt(cells[0] as string[]), rule, ...cells.slice(1).map(fmt)].join('\n');
}

/** The --json document: the brief's keys, plus `errors`/`labels_matched` per model and `notes`. */
export function summaryJson(summary: Summary): object {
  return {
    models: summary.models.map((m) => ({
      name: m.name,
      auc: m.auc,
      ap: m.ap,
      tpr_at_fpr_0_001: m.tprAtFpr,
      precision_at_recall_0_1: m.precisionAtRecall,
      events: m.events,
      positives: m.positives,
      errors: m.errors,
      labels_matched: m.labelsMatched,
      source: m.source,
    })),
    labels: { lines: summary.labels.lines, matched: summary.labels.matched, file: summary.labels.file },
    notes: summary.notes,
  };
}
