// Reads log files (plain or gzip) record by record through an adapter; counts and locates every failure.
import { constants, createReadStream, type ReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { AdapterError, SeqSentryError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { isNoEvent, type Adapter } from './adapter.js';

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

/** Longest record read from a file; a longer line is one located error, and its bytes are never held. */
export const MAX_LINE_BYTES = 1 << 20;

/** One line of a file: its text, or why it cannot be read (too long, not UTF-8, the file damaged from here on). */
type RawLine = { text: string; problem?: undefined } | { text?: undefined; problem: string };

/** Decompressed chunks queued at most before the file is read further (backpressure on the compressed side). */
const GUNZIP_QUEUE = 16;

/**
 * The decompressed chunks of a gzip file, and then its error if it is damaged. The gunzip stream is never paused
 * (backpressure pauses the file instead), so every byte it decompressed before the damage comes out before the
 * error: a damaged file gives the same lines however fast they are consumed.
 */
async function* gunzipChunks(raw: ReadStream): AsyncGenerator<Buffer> {
  const z = createGunzip();
  const queue: Buffer[] = [];
  let failure: Error | null = null;
  let ended = false;
  let zFull = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const feed = () => {
    if (!zFull && queue.length < GUNZIP_QUEUE && !ended) raw.resume();
  };
  const stop = (err: Error) => {
    failure ??= err;
    ended = true;
    notify();
  };
  raw.on('data', (chunk) => {
    if (!z.write(chunk)) zFull = true;
    if (zFull || queue.length >= GUNZIP_QUEUE) raw.pause();
  });
  raw.on('end', () => z.end());
  raw.on('error', stop);
  z.on('drain', () => {
    zFull = false;
    feed();
  });
  z.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    notify();
  });
  z.on('end', () => {
    ended = true;
    notify();
  });
  z.on('error', (err) => {
    raw.destroy();
    stop(err);
  });
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        feed();
        yield chunk;
        continue;
      }
      if (ended) break;
      feed();
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    raw.destroy();
    z.destroy();
  }
  if (failure) throw failure;
}

/** U+FEFF: a per-line TextDecoder.decode dropped one at the start of every line. */
const BOM = 0xfeff;

/**
 * The lines of a file, plain or gzip, a chunk's worth at a time. Only LF ends a line (a CR before it is dropped; a
 * lone CR stays in the record, so it can neither split a record nor shift the line numbers after it). A damaged or
 * truncated gzip ends the file with one problem line after every line read before the damage. The lines a chunk
 * holds whole are decoded in one call (one per line was a fifth of reading), each as if decoded alone: a line
 * that is not UTF-8 is that line's problem only, and one BOM at its start is dropped.
 */
async function* openLines(file: string): AsyncGenerator<RawLine[]> {
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    throw new SeqSentryError(`cannot read input ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const raw = createReadStream(file);
  const stream: AsyncIterable<Buffer> = file.endsWith('.gz') ? gunzipChunks(raw) : raw;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Keeps every BOM of a block: dropping one per line is done below, as the per-line decoder did.
  const blockDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let parts: Buffer[] = [];
  let size = 0;
  const finish = (): RawLine => {
    const held = parts;
    const bytes = size;
    parts = [];
    size = 0;
    if (bytes > MAX_LINE_BYTES) return { problem: `line of ${bytes} bytes, longer than the ${MAX_LINE_BYTES} a record may have` };
    let buf = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held);
    if (buf.length && buf[buf.length - 1] === 13) buf = buf.subarray(0, buf.length - 1);
    try {
      return { text: decoder.decode(buf) };
    } catch {
      return { problem: 'not valid UTF-8' };
    }
  };
  /** Lines chunk[start, end) (each LF-terminated within the chunk) into `lines`, one line at a time. */
  const oneByOne = (chunk: Buffer, start: number, end: number, lines: RawLine[]) => {
    while (start < end) {
      const nl = chunk.indexOf(10, start);
      parts.push(chunk.subarray(start, nl));
      size = nl - start;
      lines.push(finish());
      start = nl + 1;
    }
  };
  try {
    for await (const chunk of stream) {
      const lines: RawLine[] = [];
      let start = 0;
      const first = chunk.indexOf(10);
      if (first >= 0) {
        // The line the previous chunks began ends here.
        if (size + first <= MAX_LINE_BYTES) parts.push(chunk.subarray(0, first));
        else parts = [];
        size += first;
        lines.push(finish());
        start = first + 1;
        const last = chunk.lastIndexOf(10);
        if (last > first) {
          let text: string | null = null;
          try {
            text = blockDecoder.decode(chunk.subarray(start, last));
          } catch {
            text = null; // some line of the block is not UTF-8: each is decoded alone to say which
          }
          if (text === null) {
            oneByOne(chunk, start, last + 1, lines);
          } else {
            let from = 0;
            for (;;) {
              const nl = text.indexOf('\n', from);
              let end = nl < 0 ? text.length : nl;
              if (end > from && text.charCodeAt(end - 1) === 13) end -= 1;
              const bom = text.charCodeAt(from) === BOM && end > from ? 1 : 0;
              lines.push({ text: text.slice(from + bom, end) });
              if (nl < 0) break;
              from = nl + 1;
            }
          }
          start = last + 1;
        }
      }
      // The start of a line that a later chunk ends.
      if (start < chunk.length) {
        const rest = chunk.length - start;
        if (size + rest <= MAX_LINE_BYTES) parts.push(chunk.subarray(start));
        else parts = [];
        size += rest;
      }
      if (lines.length) yield lines;
    }
  } catch (err) {
    parts = [];
    size = 0;
    yield [{ problem: `the file is damaged from here on (${(err as Error).message}); the lines before were read` }];
    return;
  }
  if (size > 0) yield [finish()];
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
