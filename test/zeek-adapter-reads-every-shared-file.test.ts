// Every Zeek file under ../shared/data/zeek, TSV and JSON, plain and gzip: each data line is an event (a log type the
// adapter reads) or a skip naming its log type (one it does not), none unreadable; the counts are checked against an
// independent reading of the files (their lines, their `#` headers, the log type in their names).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { newReadStats, readRecords } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

/** The log types the issue asks for, as written there: what the adapter must turn into events. */
const ASKED = ['conn', 'dns', 'http', 'ssl', 'x509', 'files', 'kerberos', 'ntlm', 'smb_files', 'smb_mapping', 'dce_rpc', 'rdp', 'ssh', 'weird', 'notice'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(?:log|json)(?:\.labeled)?(?:\.gz)?$/.test(name) ? [path] : [];
  });
}

/** The file's data lines, read apart from the adapter: non-blank, and not a `#` header in a TSV log. */
function dataLines(file: string): { data: number; headers: number; blank: number } {
  const bytes = readFileSync(file);
  const lines = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const headers = lines.filter((l) => l.startsWith('#')).length;
  const blank = lines.filter((l) => l.trim() === '').length;
  return { data: lines.length - headers - blank, headers, blank };
}

/** The log type the name says: the part before the first dot, after an OTRF sensor prefix (`NASHUA_`). */
function typeFromName(file: string): string {
  const stem = (file.split('/').pop() as string).split('.')[0] as string;
  return stem.replace(/^[A-Z][A-Z-]*_/, '');
}

describe.runIf(hasSharedData())('zeek adapter on every shared Zeek file', () => {
  const files = filesUnder(shared('zeek'));

  it('finds the four captures', () => {
    for (const dir of ['zeek-default', 'zeek-json', 'otrf-apt29/day1', 'otrf-apt29/day2', 'stratosphere-labeled/008-zeek-mixed', 'stratosphere-labeled/010-zeek-mixed']) {
      expect(files.some((f) => f.includes(`/zeek/${dir}/`)), dir).toBe(true);
    }
  });

  it('reads each data line as an event or a named skip, none unreadable, as many as the file holds', async () => {
    const table: string[] = [];
    let total = 0;
    for (const file of files) {
      const stats = newReadStats();
      const adapter = createAdapter('zeek');
      let events = 0;
      for await (const item of readRecords([file], adapter, stats)) if (item.event) events += 1;
      const want = dataLines(file);
      const type = typeFromName(file);
      const name = relative(shared('zeek'), file);
      table.push(`${name}\t${type}\t${want.data}\t${stats.events}\t${stats.skipped - (stats.skipReasons.header ?? 0)}\t${stats.errors}`);
      expect(stats.firstErrors.map((e) => e.message), name).toEqual([]);
      expect(stats.records, name).toBe(want.data + want.headers + want.blank);
      expect(stats.skipReasons.header ?? 0, name).toBe(want.headers);
      if (ASKED.includes(type)) {
        expect(stats.events, name).toBe(want.data);
      } else {
        expect(stats.events, name).toBe(0);
        expect(stats.skipReasons[`zeek log type ${type} is not one the zeek adapter reads`] ?? 0, name).toBe(want.data);
      }
      total += stats.records;
      expect(events).toBe(stats.events);
    }
    process.stdout.write(`file\tlog type\tdata lines\tevents\tskipped\tunreadable\n${table.join('\n')}\n${files.length} files, ${total} records\n`);
  }, 300_000);
});
