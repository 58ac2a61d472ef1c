// Line-by-line reading of plain or gzip text files, for score and label files (gzip detected by magic bytes).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SeqSentryError } from '../core/errors.js';
import { isGzipFile } from '../util/gzip-file.js';

/** True when the file is gzip (isGzipFile); an unreadable file is said in one line, naming it. */
async function isGzip(file: string): Promise<boolean> {
  try {
    return await isGzipFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SeqSentryError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`);
  }
}

/** Yields the file's lines without line ends (CRLF tolerated). Fails with the OS error naming the file. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const gzip = await isGzip(file); // first: it says what is wrong with a file that cannot be read
  const fileStream = createReadStream(file);
  const stream: Readable = gzip ? fileStream.pipe(createGunzip()) : fileStream;
  try {
    yield* createInterface({ input: stream, crlfDelay: Infinity });
  } finally {
    // A consumer that stops early (found what it wanted) must not leave the file descriptor open.
    fileStream.destroy();
    stream.destroy();
  }
}
