// Whether a file is gzip, by its first two bytes (1f 8b), whatever its name: a `.gz` name on plain text, or gzip
// under another name, is read as what it is.
import { open } from 'node:fs/promises';

export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}
