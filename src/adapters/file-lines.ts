// A log file's lines (plain or gzip; UTF-8, or UTF-16 as Windows tools write it), read in chunks with every limit
// explicit: a line longer than MAX_LINE_BYTES, bytes that are not UTF-8 and a damaged gzip stream each become one
// located problem, never a lost line.
import { constants, createReadStream, type ReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { SeqSentryError } from '../core/errors.js';
import { isGzipFile } from '../util/gzip-file.js';

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

/**
 * The encoding of a file that starts with `head`: UTF-16 by its byte order mark (FF FE little-endian, FE FF
 * big-endian, as PowerShell's `Out-File`, `wevtutil` and Notepad write it), or without one by an ASCII character
 * followed (little-endian) or preceded (big-endian) by a zero byte, which UTF-8 text never starts with; else UTF-8.
 */
export function textEncoding(head: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32' {
  if (head.length < 2) return 'utf-8';
  const [a, b] = [head[0] as number, head[1] as number];
  // UTF-32's marks (FF FE 00 00, 00 00 FE FF): named, not misread as UTF-16.
  if (head.length >= 4 && ((a === 0xff && b === 0xfe && head[2] === 0 && head[3] === 0) || (a === 0 && b === 0 && head[2] === 0xfe && head[3] === 0xff))) return 'utf-32';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (a > 0 && a < 0x80 && b === 0) return 'utf-16le';
  if (a === 0 && b > 0 && b < 0x80) return 'utf-16be';
  return 'utf-8';
}

/** A code unit that is half of a surrogate pair with no other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * UTF-8 of UTF-16 text, each lone surrogate written as the byte 0xFF, which no UTF-8 holds: the line reader then
 * reports that line alone as not readable, and reads its neighbours, as for a line of bad UTF-8.
 */
function utf8Of(text: string): Buffer {
  LONE_SURROGATE.lastIndex = 0;
  if (!LONE_SURROGATE.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  LONE_SURROGATE.lastIndex = 0;
  for (let m = LONE_SURROGATE.exec(text); m; m = LONE_SURROGATE.exec(text)) {
    parts.push(Buffer.from(text.slice(from, m.index), 'utf8'), Buffer.of(0xff));
    from = m.index + 1;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * The chunks of a UTF-16 stream as UTF-8 (its byte order mark kept, as U+FEFF, for the line reader to drop). A lone
 * surrogate makes its line a located problem (utf8Of); a surrogate pair split between chunks is joined; an odd byte
 * at the end of the file is one more problem line after the lines read.
 */
async function* utf16AsUtf8(chunks: AsyncIterable<Buffer>, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<Buffer> {
  let held: Buffer = Buffer.alloc(0);
  // Whether the text so far ends a line: an odd byte at the end then comes after the last line, not inside it.
  let ended = true;
  for await (const chunk of chunks) {
    const joined = held.length ? Buffer.concat([held, chunk]) : chunk;
    let whole = joined.length - (joined.length % 2);
    // A high surrogate at the end may pair with the next chunk's first unit: held back with the odd byte.
    if (whole >= 2) {
      const last = encoding === 'utf-16le' ? joined.readUInt16LE(whole - 2) : joined.readUInt16BE(whole - 2);
      if (last >= 0xd800 && last <= 0xdbff) whole -= 2;
    }
    held = Buffer.from(joined.subarray(whole));
    if (whole === 0) continue;
    // Node decodes little-endian only: big-endian units are swapped (on a copy: the chunk may be the caller's).
    const units = encoding === 'utf-16le' ? joined.subarray(0, whole) : Buffer.from(joined.subarray(0, whole)).swap16();
    const text = units.toString('utf16le');
    ended = text.endsWith('\n');
    yield utf8Of(text);
  }
  if (held.length >= 2) {
    const whole = held.length - (held.length % 2);
    const units = encoding === 'utf-16le' ? held.subarray(0, whole) : Buffer.from(held.subarray(0, whole)).swap16();
    const text = units.toString('utf16le');
    ended = text.endsWith('\n');
    yield utf8Of(text);
  }
  if (held.length % 2) {
    // The last line read whole first, then the byte as the file's problem line after it.
    if (!ended) yield Buffer.from('\n');
    throw new Error('not valid UTF-16: an odd byte at the end');
  }
}

/**
 * The chunks of `stream`, transcoded to UTF-8 when its first bytes say it is UTF-16 (textEncoding); the encoding
 * found goes into `found` before the first chunk comes out.
 */
async function* asUtf8(stream: AsyncIterable<Buffer>, found: { encoding: ReturnType<typeof textEncoding> }): AsyncGenerator<Buffer> {
  const it = stream[Symbol.asyncIterator]();
  const start = await it.next();
  if (start.done) return;
  let head: Buffer = start.value;
  // One byte is too few to tell (a chunk of one byte only comes from a file of one byte, or a tiny gzip block).
  while (head.length < 2) {
    const next = await it.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  const encoding = textEncoding(head);
  found.encoding = encoding;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    yield* rest;
  }
  if (encoding === 'utf-32') throw new Error('UTF-32 text, which is not read: convert the file to UTF-8');
  if (encoding === 'utf-8') yield* all();
  else yield* utf16AsUtf8(all(), encoding);
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
export async function* openLines(file: string): AsyncGenerator<RawLine[]> {
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    throw new SeqSentryError(`cannot read input ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  // gzip by its content, not its name (as label and score files are read)
  const gzip = await isGzipFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new SeqSentryError(`cannot read input ${file}: ${err.code === 'EISDIR' ? 'it is a folder' : err.message}`);
  });
  const raw = createReadStream(file);
  const found: { encoding: ReturnType<typeof textEncoding> } = { encoding: 'utf-8' };
  const stream: AsyncIterable<Buffer> = asUtf8(gzip ? gunzipChunks(raw) : raw, found);
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
      return { problem: found.encoding === 'utf-8' ? 'not valid UTF-8' : 'not valid UTF-16 (a lone surrogate)' };
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
