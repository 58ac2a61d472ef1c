// Streams text lines to a file with back-pressure, so a long simulation never holds a whole file in memory.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { SeqSentryError } from '../core/errors.js';

export class LineWriter {
  private stream: WriteStream;
  private failure: Error | undefined;
  lines = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.stream.on('error', (err) => {
      this.failure = err;
    });
  }

  /** Writes each line followed by `\n`, waiting for the stream to drain when its buffer is full. */
  async writeLines(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.check();
    this.lines += lines.length;
    // One chunk per batch: a day's lines joined, instead of one write call per line.
    if (!this.stream.write(lines.join('\n') + '\n')) await this.wait('drain');
  }

  async close(): Promise<void> {
    this.check();
    this.stream.end();
    await this.wait('finish');
  }

  /** `once` rejects when the stream emits 'error' first; keep that error for the located message. */
  private async wait(event: string): Promise<void> {
    try {
      await once(this.stream, event);
    } catch (err) {
      this.failure = err as Error;
    }
    this.check();
  }

  private check(): void {
    if (this.failure) throw new SeqSentryError(`simulate: cannot write ${this.path}: ${this.failure.message}`, { cause: this.failure });
  }
}
