// Review 2026-12-07: a UTF-16 file (what PowerShell's Out-File, wevtutil and Notepad write on Windows) was read as
// UTF-8, every record an error. Real Windows Security events and a real auth.log, written as UTF-16 little- and
// big-endian with a byte order mark, little-endian without one, and gzipped, give the events their UTF-8 original
// gives, line for line; a file cut mid code unit keeps its lines before and ends with a located problem.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { textEncoding } from '../src/adapters/file-lines.js';
import { readRecords } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

const dir = mkdtempSync(join(tmpdir(), 'seqsentry-utf16-'));

function utf16(text: string, order: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from(`${bom ? '\ufeff' : ''}${text}`, 'utf16le');
  return order === 'le' ? le : Buffer.from(le).swap16();
}

/** Each record's event (its entities, time and fields), error or skip, with its line: what a reader sees of the file. */
async function records(file: string, format: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of readRecords([file], createAdapter(format, format === 'authlog' ? { year: 2024 } : undefined))) {
    out.push({ line: r.source.line, event: r.event ? { ...r.event, source: undefined } : undefined, error: r.error?.message.replace(file, 'FILE'), skipped: r.skipped });
  }
  return out;
}

describe.runIf(hasSharedData())('UTF-16 input files', () => {
  const cases = [
    { format: 'windows', file: shared('windows', 'otrf-security-auth.jsonl'), lines: 400, crlf: false },
    { format: 'authlog', file: shared('linux', 'ubuntu-internet-host-auth.log'), lines: 400, crlf: true },
  ];
  for (const { format, file, lines, crlf } of cases) {
    it(`reads ${format} written as UTF-16 LE, BE, without a BOM and gzipped as its UTF-8 original`, async () => {
      const text = readFileSync(file, 'utf8').split('\n').slice(0, lines).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
      const original = join(dir, `${format}.utf8`);
      writeFileSync(original, text);
      const expected = await records(original, format);
      expect(expected.filter((r) => (r as { event?: unknown }).event).length).toBeGreaterThan(lines / 4);
      const variants: Record<string, Buffer> = {
        'le-bom': utf16(text, 'le', true), 'be-bom': utf16(text, 'be', true), 'le-no-bom': utf16(text, 'le', false),
        'le-bom.gz': gzipSync(utf16(text, 'le', true)),
      };
      for (const [name, bytes] of Object.entries(variants)) {
        const path = join(dir, `${format}.${name}`);
        writeFileSync(path, bytes);
        expect(await records(path, format), name).toEqual(expected.map((r) => ({ ...(r as object), error: (r as { error?: string }).error?.replace(original, 'FILE') })));
      }
    });
  }

  it('ends a file cut mid code unit with a located problem after the lines before it', async () => {
    const path = join(dir, 'cut.log');
    const good = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8').split('\n').slice(0, 5).join('\n') + '\n';
    writeFileSync(path, Buffer.concat([utf16(good, 'le', true), Buffer.from('Mar', 'utf16le'), Buffer.of(0x41)]));
    const got = (await records(path, 'authlog')) as Array<{ line: number; event?: unknown; error?: string }>;
    expect(got.slice(0, 5).map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
    expect(got.slice(0, 5).every((r) => r.error === undefined)).toBe(true);
    // "Mar", the cut line, is read (and refused as the record it is not), then the odd byte is the file's problem
    expect(got.length, JSON.stringify(got.slice(5))).toBe(7);
    expect(got[5]).toMatchObject({ line: 6, error: expect.stringMatching(/FILE:6: field timestamp: not a syslog line/) });
    expect(got[6]).toMatchObject({ line: 7, error: expect.stringMatching(/FILE:7.*damaged from here on.*UTF-16/) });
  });

  it('reads a last line without its line feed before the odd byte after it', async () => {
    const path = join(dir, 'unterminated.log');
    const lines = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8').split('\n').slice(0, 3);
    writeFileSync(path, Buffer.concat([utf16(lines.join('\n'), 'le', true), Buffer.of(0x41)]));
    const got = (await records(path, 'authlog')) as Array<{ line: number; event?: unknown; error?: string }>;
    expect(got.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(got.slice(0, 3).every((r) => r.error === undefined)).toBe(true);
    expect(got[3]!.error).toMatch(/FILE:4: the file is damaged from here on \(not valid UTF-16: an odd byte at the end\)/);
  });

  it('makes a lone surrogate its own line\'s problem, reads every other line, and joins pairs split between chunks', async () => {
    // 3,000 LANL lines, the 1,000th with a lone high surrogate in its user; every user holds a pair (U+1F511), the first
    // padded so that its pair straddles the first 64 KiB chunk's end (bytes 65,534 and 65,536 after the 2-byte BOM).
    const name = (i: number) => `U${i}${i === 1 ? 'x'.repeat(32_762) : ''}\u{1F511}@DOM1`;
    const row = (i: number) => `${i},${name(i)},U${i}@DOM1,C1,C2,Kerberos,Network,LogOn,Success\n`;
    expect(2 + 2 * '1,U1'.length + 2 * 32_762).toBe(65_534);
    for (const order of ['le', 'be'] as const) {
      const bad = Buffer.concat([utf16('1000,U', order, false), Buffer.from(order === 'le' ? [0x00, 0xd8] : [0xd8, 0x00]), utf16('@DOM1,U1@DOM1,C1,C2,Kerberos,Network,LogOn,Success\n', order, false)]);
      const file = join(dir, `lone-${order}.csv`);
      writeFileSync(file, Buffer.concat([utf16(Array.from({ length: 999 }, (_, i) => row(i + 1)).join(''), order, true), bad, utf16(Array.from({ length: 2000 }, (_, i) => row(i + 1001)).join(''), order, false)]));
      const got = (await records(file, 'lanl')) as Array<{ line: number; event?: { entities: { user: string } }; error?: string }>;
      expect(got.length, order).toBe(3000);
      expect(got.filter((r) => r.error).map((r) => [r.line, r.error])).toEqual([[1000, 'FILE:1000: not valid UTF-16 (a lone surrogate)']]);
      expect(got.filter((r) => r.event).length).toBe(2999);
      // every pair decoded whole, wherever a chunk ended
      expect(got.filter((r) => r.event).every((r) => r.event!.entities.user === name(r.line))).toBe(true);
    }
  });

  it('names a UTF-32 file instead of reading it as UTF-16', async () => {
    const path = join(dir, 'utf32.log');
    writeFileSync(path, Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0, 0x0a, 0, 0, 0]));
    expect(await records(path, 'authlog')).toEqual([{ line: 1, event: undefined, error: 'FILE:1: the file is damaged from here on (UTF-32 text, which is not read: convert the file to UTF-8); the lines before were read', skipped: undefined }]);
  });

  it('tells the encoding by the first bytes', () => {
    expect(textEncoding(Buffer.from([0xff, 0xfe, 0x7b, 0]))).toBe('utf-16le');
    expect(textEncoding(Buffer.from([0xfe, 0xff, 0, 0x7b]))).toBe('utf-16be');
    expect(textEncoding(Buffer.from('{"a"', 'utf16le'))).toBe('utf-16le');
    expect(textEncoding(Buffer.from('{"a"', 'utf8'))).toBe('utf-8');
    expect(textEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x7b]))).toBe('utf-8'); // UTF-8 with its BOM
    expect(textEncoding(Buffer.from('é', 'utf8'))).toBe('utf-8');
    expect(textEncoding(Buffer.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0]))).toBe('utf-32');
    expect(textEncoding(Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x7b]))).toBe('utf-32');
  });
});
