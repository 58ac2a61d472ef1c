// The reader decodes the lines a chunk holds whole in one call; each line must come out exactly as decoding that
// line alone gives (the reader's contract): a bad UTF-8 line is that line's problem only, a BOM at a line's start
// is dropped once, CRLF loses its CR, a lone CR stays, and lines across chunk boundaries (and multibyte characters
// cut by them) are whole. The plain recomputation splits the file's bytes on LF and decodes each line alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../src/adapters/read.js';
import type { Adapter } from '../src/adapters/adapter.js';

/** Takes each line as its record: what the reader hands an adapter. */
const echo = { name: 'echo', fieldNames: [], entityKey: 'line', entityNames: ['line'], labelEntities: [], documentFields: null, parse: (record: unknown, source: { file: string; line: number }) => ({ time: 0, entities: {}, fields: [], raw: record, source }) } as unknown as Adapter;

function plainLines(bytes: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    if (nl < 0 && start >= bytes.length) break;
    let line = bytes.subarray(start, nl < 0 ? bytes.length : nl);
    if (line.length && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(line);
      out.push(text.trim() === '' ? 'skipped' : `text:${text}`);
    } catch {
      out.push('error:not valid UTF-8');
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

describe('reader', () => {
  it('gives every line of a multi-chunk file as decoding it alone does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-reader-'));
    const pieces: Buffer[] = [];
    const kinds = [
      Buffer.from('plain ascii line,with,commas'),
      Buffer.from('\ufeffbom at the start'),
      Buffer.from('\ufeff\ufefftwo boms'),
      Buffer.from('\ufeff'),
      Buffer.from('crlf line\r'),
      Buffer.from('lone\rcr'),
      Buffer.from('é ü 日本 😀 multibyte'),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0x20, 0x62, 0x79, 0x74, 0x65]),
      Buffer.from([0xe6, 0x97]), // a character cut short
      Buffer.from(''),
      Buffer.from('   '),
      Buffer.from('x'.repeat(70_000)), // longer than a read chunk
    ];
    for (let i = 0; i < 12_000; i++) pieces.push(kinds[(i * 7) % kinds.length] as Buffer, Buffer.from(`-${i}\n`));
    pieces.push(Buffer.from('last line without a newline é'));
    const bytes = Buffer.concat(pieces);
    expect(bytes.length).toBeGreaterThan(20 * 65_536);
    const file = join(dir, 'lines.txt');
    writeFileSync(file, bytes);

    const got: string[] = [];
    for await (const item of readRecords([file], echo)) {
      expect(item.source.line).toBe(got.length + 1);
      got.push(item.skipped !== undefined ? 'skipped' : item.event ? `text:${item.event.raw as string}` : `error:${item.error.message.split(': ').at(-1)}`);
    }
    const expected = plainLines(bytes);
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
    expect(got.filter((l) => l.startsWith('error')).length).toBeGreaterThan(1000);
  });
});
