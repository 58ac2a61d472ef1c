// Reads log files (plain or gzip) record by record through an adapter; counts and locates every failure.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { Adapter } from './adapter.js';

export type ReadItem = { event: CanonicalEvent; error?: undefined } | { event?: undefined; error: AdapterError };

export interface ReadStats {
  records: number;
  events: number;
  skipped: number;
  errors: number;
  /** The first few errors, for the end-of-run report. */
  firstErrors: AdapterError[];
}

export const MAX_REPORTED_ERRORS = 20;

export function newReadStats(): ReadStats {
  return { records: 0, events: 0, skipped: 0, errors: 0, firstErrors: [] };
}

function openLines(file: string): AsyncIterable<string> {
  let stream: Readable = createReadStream(file);
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip());
  return createInterface({ input: stream, crlfDelay: Infinity });
}

/**
 * Yields one item per record: an event, or the located error for a record the adapter cannot read.
 * Header and blank lines are counted as skipped. With `strict`, the first error is thrown instead.
 */
/**
 * One record through the adapter, counted in `stats`: the event, a located error (rethrown when `strict`), or null
 * for a record without an event by design (a header, a blank line).
 */
export function parseRecord(adapter: Adapter, record: string | Record<string, unknown>, source: SourceRef, stats: ReadStats, strict: boolean): (ReadItem & { source: SourceRef }) | null {
  stats.records += 1;
  try {
    const event = adapter.parse(record, source);
    if (event === null) {
      stats.skipped += 1;
      return null;
    }
    stats.events += 1;
    return { event, source };
  } catch (err) {
    if (!(err instanceof AdapterError) || strict) throw err;
    stats.errors += 1;
    if (stats.firstErrors.length < MAX_REPORTED_ERRORS) stats.firstErrors.push(err);
    return { error: err, source };
  }
}

export async function* readEvents(files: readonly string[], adapter: Adapter, stats: ReadStats = newReadStats(), strict = false): AsyncGenerator<ReadItem & { source: SourceRef }> {
  for (const file of files) {
    let line = 0;
    for await (const text of openLines(file)) {
      line += 1;
      const source = { file, line };
      const item = parseRecord(adapter, text, source, stats, strict);
      if (item) yield item;
    }
  }
}

/** Human-readable end-of-run summary of what was read and what could not be. */
export function formatReadStats(stats: ReadStats): string {
  const lines = [`read ${stats.records} records: ${stats.events} events, ${stats.skipped} header/blank, ${stats.errors} unreadable`];
  for (const err of stats.firstErrors) lines.push(`  ${err.message}`);
  if (stats.errors > stats.firstErrors.length) lines.push(`  ... and ${stats.errors - stats.firstErrors.length} more`);
  return lines.join('\n');
}
