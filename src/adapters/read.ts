// Reads log files record by record through an adapter (their lines: file-lines.ts); counts and locates every failure.
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { isNoEvent, type Adapter } from './adapter.js';
import { openLines } from './file-lines.js';

export type ReadItem = { event: CanonicalEvent; error?: undefined; skipped?: undefined } | { event?: undefined; error: AdapterError; skipped?: undefined };

export interface ReadStats {
  records: number;
  events: number;
  skipped: number;
  /** Skipped records per reason ("blank line", "header", "not an authentication event: Windows 4688", ...). */
  skipReasons: Record<string, number>;
  errors: number;
  /** The first few errors, for the end-of-run report. */
  firstErrors: AdapterError[];
}

export const MAX_REPORTED_ERRORS = 20;

/** Distinct skip reasons counted apart; a reason is built from the input, so hostile input must not grow the map. */
export const MAX_SKIP_REASONS = 50;
const OTHER_REASONS = 'other reasons';

function countSkip(stats: ReadStats, reason: string): void {
  stats.skipped += 1;
  const key = reason in stats.skipReasons || Object.keys(stats.skipReasons).length < MAX_SKIP_REASONS ? reason : OTHER_REASONS;
  stats.skipReasons[key] = (stats.skipReasons[key] ?? 0) + 1;
}

export function newReadStats(): ReadStats {
  return { records: 0, events: 0, skipped: 0, skipReasons: {}, errors: 0, firstErrors: [] };
}

/**
 * One record through the adapter, counted in `stats`: the event, a located error (rethrown when `strict`), a
 * skipped record with the adapter's reason (readable, but no event of this format), or null for a header line.
 */
export function parseRecord(adapter: Adapter, record: string | Record<string, unknown>, source: SourceRef, stats: ReadStats, strict: boolean): ((ReadItem | SkipItem) & { source: SourceRef }) | null {
  stats.records += 1;
  try {
    const event = adapter.parse(record, source);
    if (event === null) {
      countSkip(stats, 'header');
      return null;
    }
    if (isNoEvent(event)) {
      countSkip(stats, event.skip);
      return { skipped: event.skip, source };
    }
    stats.events += 1;
    return { event, source };
  } catch (err) {
    if (!(err instanceof AdapterError) || strict) throw err;
    countError(stats, err);
    return { error: err, source };
  }
}

function countError(stats: ReadStats, err: AdapterError): void {
  stats.errors += 1;
  if (stats.firstErrors.length < MAX_REPORTED_ERRORS) stats.firstErrors.push(err);
}

/**
 * A record without an event: a blank line, or one the adapter read and found no event of its format in (with its
 * reason). It keeps its place (and its line) in `score`'s output.
 */
export interface SkipItem {
  event?: undefined;
  error?: undefined;
  skipped: string;
  source: SourceRef;
}

/** The files in reading order: those the adapter reads first (Adapter.readsFirst), then the rest, each as given. */
export function readingOrder(files: readonly string[], adapter: Adapter): readonly string[] {
  const first = adapter.readsFirst;
  return first ? [...files.filter((f) => first(f)), ...files.filter((f) => !first(f))] : files;
}

/** A record read: its event, its located error, or why it holds no event. */
export type ReadRecord = (ReadItem & { source: SourceRef }) | SkipItem;

/**
 * Like readRecords, the records of a read chunk at a time: one await per chunk instead of one per record (an async
 * generator's per-item promises were a third of reading a LANL line). With `strict`, the records before a bad one
 * come out before its error is thrown, as one at a time.
 */
export async function* readRecordChunks(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), strict = false): AsyncGenerator<ReadRecord[]> {
  for (const file of readingOrder(files, adapter)) {
    let line = 0;
    for await (const lines of openLines(file)) {
      const items: ReadRecord[] = [];
      for (const raw of lines) {
        line += 1;
        const source = { file, line };
        if (raw.problem !== undefined) {
          const error = new AdapterError(file, line, raw.problem);
          if (strict) {
            if (items.length) yield items;
            throw error;
          }
          stats.records += 1;
          countError(stats, error);
          items.push({ error, source });
          continue;
        }
        if (raw.text.trim() === '') {
          stats.records += 1;
          countSkip(stats, 'blank line');
          items.push({ skipped: 'blank line', source });
          continue;
        }
        let item;
        try {
          item = parseRecord(adapter, raw.text, source, stats, strict);
        } catch (err) {
          if (items.length) yield items;
          throw err;
        }
        if (item) items.push(item);
      }
      if (items.length) yield items;
    }
  }
}

/** Like readEvents, and skipped records too, so that every line of the input can be accounted for. */
export async function* readRecords(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), strict = false): AsyncGenerator<ReadRecord> {
  for await (const items of readRecordChunks(files, adapter, stats, strict)) yield* items;
}

export async function* readEvents(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), strict = false): AsyncGenerator<ReadItem & { source: SourceRef }> {
  for await (const item of readRecords(files, adapter, stats, strict)) if (item.skipped === undefined) yield item;
}

/** Human-readable end-of-run summary of what was read and what could not be. */
export function formatReadStats(stats: ReadStats): string {
  const reasons = Object.entries(stats.skipReasons).map(([reason, n]) => `${n} ${reason}`).join(', ');
  const lines = [`read ${stats.records} records: ${stats.events} events, ${stats.skipped} skipped${reasons ? ` (${reasons})` : ''}, ${stats.errors} unreadable`];
  for (const err of stats.firstErrors) lines.push(`  ${err.message}`);
  if (stats.errors > stats.firstErrors.length) lines.push(`  ... and ${stats.errors - stats.firstErrors.length} more`);
  return lines.join('\n');
}
