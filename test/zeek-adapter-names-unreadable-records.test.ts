// What the zeek adapter cannot read it names by file, line and field: a record before `#fields`, a record with more or
// fewer values than `#fields` names, a time that is none, a file of no known log type; and what it can read but holds no
// event of a read log type is a skip naming the type. Headers change per block: a rotated log's second block is read
// with its own names. The log_type option overrides the file name and #path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReadStats, readRecords } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { ConfigError } from '../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'zeek-errors-'));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function read(path: string, options?: Record<string, unknown>) {
  const stats = newReadStats();
  const items = [];
  for await (const item of readRecords([path], createAdapter('zeek', options), stats)) items.push(item);
  return { stats, items };
}

const HEAD = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tdns'];

describe('zeek adapter, unreadable records', () => {
  it('names the line and field of each, and reads the lines around them', async () => {
    const path = file('dns.log', [
      '1521911720.1\tCa\t10.0.0.5\t5353\t10.0.0.1\t53\tearly.example', // before #fields
      ...HEAD,
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\tanswers',
      '#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tvector[string]',
      '1521911720.2\tCb\t10.0.0.5\t5353\t10.0.0.1\t53\tok.example\t10.1.1.1,10.1.1.2',
      '1521911720.3\tCc\t10.0.0.5\t5353\t10.0.0.1\t53\tshort.example', // one value short
      'yesterday\tCd\t10.0.0.5\t5353\t10.0.0.1\t53\tbadtime.example\t(empty)', // not a time
      '1521911720.5\tCe\t10.0.0.5\t5353\t10.0.0.1\t53\t-\t(empty)', // unset query, empty answers: readable
      '#close\t2024-04-12-19-34-07',
    ]);
    const { stats, items } = await read(path);
    const errors = items.filter((i) => i.error).map((i) => [i.source.line, i.error?.field, i.error?.reason]);
    expect(errors).toEqual([
      [1, '#fields', 'a record before the #fields header: not a Zeek TSV log'],
      [10, '#fields', '7 values for the 8 names of #fields'],
      [11, 'ts', 'not a time: "yesterday"'],
    ]);
    expect(stats).toMatchObject({ records: 13, events: 2, errors: 3, skipReasons: { header: 8 } });
    const unset = items.find((i) => i.source.line === 12)?.event;
    expect(unset?.fields.slice(0, 8)).toEqual(['dns', '?', 'private', 'private', '53', '?', 'no_answer', '?']);
    expect(items.find((i) => i.source.line === 9)?.event?.fields[6]).toBe('answered');
  });

  it('reads a second header block with its own names (rotated logs concatenated)', async () => {
    const path = file('conn.log', [
      ...HEAD.slice(0, 4), '#path\tconn', '#fields\tts\tuid\tproto', '#types\ttime\tstring\tenum', '1.5\tCa\ttcp', '#close\tx',
      ...HEAD.slice(0, 4), '#path\tconn', '#fields\tts\tproto\tuid\tconn_state', '#types\ttime\tenum\tstring\tstring', '2.5\tudp\tCb\tS0',
    ]);
    const { stats, items } = await read(path);
    expect(stats.errors).toBe(0);
    const events = items.flatMap((i) => (i.event ? [i.event] : []));
    expect(events.map((e) => [e.entities.uid, e.fields[5], e.fields[8]])).toEqual([['Ca', 'tcp', '?'], ['Cb', 'udp', 'S0']]);
  });

  it('a file of no log type is an error naming #path; the log_type option names it; other types are skipped by name', async () => {
    const json = '{"ts":1.5,"uid":"Ca","id.orig_h":"10.0.0.5","id.resp_h":"10.0.0.1","id.resp_p":53,"query":"a.example"}';
    const nameless = file('capture-2024.json', [json]);
    const bad = await read(nameless);
    expect(bad.items[0]?.error?.field).toBe('#path');
    expect(bad.items[0]?.error?.message).toContain('capture-2024.json:1');
    const good = await read(nameless, { log_type: 'dns' });
    expect(good.items[0]?.event?.fields[0]).toBe('dns');
    const other = await read(file('x.json', ['{"_path":"ntp","ts":1.5,"uid":"Ca"}']));
    expect(other.stats.skipReasons).toEqual({ 'zeek log type ntp is not one the zeek adapter reads': 1 });
    expect(() => createAdapter('zeek', { log_type: 'ntp' })).toThrow(ConfigError);
    expect(() => createAdapter('zeek', { path: 'dns' })).toThrow(/adapter_options/);
  });
});
