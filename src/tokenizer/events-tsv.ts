// Writes canonical events as the events TSV the Python trainer reads (docs/contracts.md).
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { CanonicalEvent } from '../core/event.js';

const UNSAFE = /[\t\r\n]/g;

function clean(value: string): string {
  return value.replace(UNSAFE, ' ');
}

export class EventsTsvWriter {
  private readonly out: WriteStream;
  private buffer: string[] = [];
  rows = 0;

  constructor(path: string, fieldNames: readonly string[], private readonly entityKey: string) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
    this.buffer.push(['entity', 'time', ...fieldNames.map(clean)].join('\t'));
  }

  async write(event: CanonicalEvent): Promise<void> {
    const entity = event.entities[this.entityKey] ?? '?';
    this.buffer.push([clean(entity), String(event.time), ...event.fields.map(clean)].join('\t'));
    this.rows += 1;
    if (this.buffer.length >= 4096) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}
