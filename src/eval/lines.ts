// Line-by-line reading of plain or gzip text files, for score and label files (gzip detected by magic bytes).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SeqSentryError } from '../core/errors.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes; sniffed so `labels.txt` that is gzipped still reads. */
async function isGzip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SeqSentryError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`);
  } finally {
    await handle?.close();
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
