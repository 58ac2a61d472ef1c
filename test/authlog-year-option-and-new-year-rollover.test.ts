// Classic syslog timestamps have no year: the `year` option gives a file's first year (default: this year), a
// month more than half a year earlier than the line before starts the next year, a late line from before New Year
// stays in its year, each file starts again at the option, and a shipped document's @timestamp wins (even for a
// day the option's year lacks). On the live paths (the proxy, the scoring routes, enrich) a line is dated by the
// clock instead: the bundle's `year` is its training file's, and requests are not a file read in order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newReadStats, readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { ConfigError } from '../src/core/errors.js';

const line = (stamp: string, user = 'alice') => `${stamp} gw sshd[7]: Accepted password for ${user} from 10.0.0.1 port 22 ssh2`;
const utc = (...p: [number, number, number, number, number, number]) => Date.UTC(...p) / 1000;

async function times(files: string[], options: Record<string, unknown>): Promise<number[]> {
  const out: number[] = [];
  for await (const item of readEvents(files, createAdapter('authlog', options), newReadStats())) out.push(item.event ? item.event.time : NaN);
  return out;
}

describe('authlog year', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-year-'));
  const newYear = join(dir, 'auth.log.1');
  writeFileSync(newYear, [line('Dec 31 23:59:58'), line('Jan  1 00:00:01'), line('Dec 31 23:59:59'), line('Jun 15 10:00:00'), line('Dec  1 08:00:00')].join('\n'));
  const other = join(dir, 'auth.log');
  writeFileSync(other, [line('Mar  3 03:03:03')].join('\n'));

  it('dates a file from the option year and turns the year at New Year, once per file', async () => {
    expect(await times([newYear, other], { year: 2023 })).toEqual([
      utc(2023, 11, 31, 23, 59, 58),
      utc(2024, 0, 1, 0, 0, 1),
      utc(2023, 11, 31, 23, 59, 59), // written late, after the first line of the new year: still the old year
      utc(2024, 5, 15, 10, 0, 0),
      utc(2024, 11, 1, 8, 0, 0), // the year's own December, reached half a year at a time
      utc(2023, 2, 3, 3, 3, 3), // the next file starts again at the option
    ]);
  });

  it('dates a file the same way when it is read again (score reads its input twice)', async () => {
    const longYear = join(dir, 'auth.log.2');
    writeFileSync(longYear, [line('Jun  1 00:00:00'), line('Dec 31 23:00:00'), line('Jan  1 01:00:00'), line('Feb  1 02:00:00')].join('\n'));
    const adapter = createAdapter('authlog', { year: 2023 });
    const read = async () => {
      const out: number[] = [];
      for await (const item of readEvents([longYear], adapter, newReadStats())) out.push(item.event ? item.event.time : NaN);
      return out;
    };
    const first = await read();
    expect(first).toEqual([utc(2023, 5, 1, 0, 0, 0), utc(2023, 11, 31, 23, 0, 0), utc(2024, 0, 1, 1, 0, 0), utc(2024, 1, 1, 2, 0, 0)]);
    expect(await read()).toEqual(first);
  });

  it('defaults to the current UTC year', () => {
    const e = createAdapter('authlog').parse(line('Mar  3 03:03:03'), { file: 'x', line: 1 });
    expect(e && 'time' in e && new Date(e.time * 1000).getUTCFullYear()).toBe(new Date().getUTCFullYear());
  });

  it('refuses a day the year does not have, located', () => {
    expect(() => createAdapter('authlog', { year: 2023 }).parse(line('Feb 29 12:00:00'), { file: 'auth.log', line: 9 }))
      .toThrow('auth.log:9: field timestamp: not a valid time: "Feb 29 12:00:00"');
    expect(createAdapter('authlog', { year: 2024 }).parse(line('Feb 29 12:00:00'), { file: 'auth.log', line: 9 })).toMatchObject({ time: utc(2024, 1, 29, 12, 0, 0) });
  });

  it('names a bad or unknown option', () => {
    expect(() => createAdapter('authlog', { year: '2024' })).toThrow(ConfigError);
    expect(() => createAdapter('authlog', { year: 24.5 })).toThrow(/^config adapter_options\.year: /);
    expect(() => createAdapter('authlog', { yaer: 2024 })).toThrow(/^config adapter_options\.yaer: .*yaer/);
  });

  it('takes a shipped document\'s @timestamp, which has its year, over the line\'s', () => {
    const a = createAdapter('authlog', { year: 2001 });
    expect(a.parse({ '@timestamp': '2026-03-03T03:03:03.250Z', message: line('Mar  3 03:03:03') }, { file: 'idx', line: 1 })).toMatchObject({ time: utc(2026, 2, 3, 3, 3, 3) + 0.25 });
    expect(() => a.parse({ '@timestamp': '2026-03-03T03:03:03Z' }, { file: 'idx', line: 2 })).toThrow('idx:2: field message: ');
    // a leap day shipped with its @timestamp is read, whatever year the option gives the line
    expect(a.parse({ '@timestamp': '2028-02-29T10:00:00Z', message: line('Feb 29 10:00:00') }, { file: 'idx', line: 3 })).toMatchObject({ time: utc(2028, 1, 29, 10, 0, 0) });
  });
});

describe('authlog year on the live paths', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const live = (options: Record<string, unknown> = {}) => createAdapter('authlog', options, { live: true });
  const timeOf = (e: unknown) => (e as { time: number }).time;

  it('dates a line by the clock, not by the training file\'s year option', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 7, 10, 5) });
    expect(timeOf(live({ year: 2024 }).parse(line('Dec  7 10:00:00'), { file: '_bulk', line: 2 }))).toBe(utc(2026, 11, 7, 10, 0, 0));
  });

  it('turns the year at New Year however the lines are split into requests', () => {
    vi.useFakeTimers({ now: Date.UTC(2027, 0, 1, 0, 0, 30) });
    const a = live();
    // bulk 1: the last line of the old year and the first of the new one; bulk 2 starts again at line 2
    expect(timeOf(a.parse(line('Dec 31 23:59:58'), { file: '_bulk', line: 2 }))).toBe(utc(2026, 11, 31, 23, 59, 58));
    expect(timeOf(a.parse(line('Jan  1 00:00:11'), { file: '_bulk', line: 4 }))).toBe(utc(2027, 0, 1, 0, 0, 11));
    expect(timeOf(a.parse(line('Jan  1 00:00:12'), { file: '_bulk', line: 2 }))).toBe(utc(2027, 0, 1, 0, 0, 12));
    // a line of a day still ahead this year (beyond a day's slack) is last year's
    expect(timeOf(a.parse(line('Mar  3 03:03:03'), { file: 'request', line: 1 }))).toBe(utc(2026, 2, 3, 3, 3, 3));
  });

  it('reads a leap day live in a leap year, and refuses it in another', () => {
    vi.useFakeTimers({ now: Date.UTC(2028, 1, 29, 12) });
    expect(timeOf(live().parse(line('Feb 29 10:00:00'), { file: '_bulk', line: 2 }))).toBe(utc(2028, 1, 29, 10, 0, 0));
    vi.setSystemTime(Date.UTC(2027, 2, 1));
    expect(() => live().parse(line('Feb 29 10:00:00'), { file: '_bulk', line: 2 })).toThrow('_bulk:2: field timestamp: not a valid time: "Feb 29 10:00:00" in 2027');
  });
});
