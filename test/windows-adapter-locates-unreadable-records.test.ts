// A Windows record the adapter cannot read is one located error (file, line, field, reason) and never takes its
// neighbours with it; a file of mixed records reads every good one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReadStats, readRecords } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { AdapterError } from '../src/core/errors.js';

const windows = createAdapter('windows');
const src = { file: 'sec.jsonl', line: 4 };
const logon = { EventID: 4624, '@timestamp': '2024-01-02T03:04:05Z', Hostname: 'WS1', TargetUserName: 'alice', LogonType: '3', IpAddress: '10.0.0.9' };

describe('windows adapter on records it cannot read', () => {
  it('names the field and the reason of each', () => {
    expect(() => windows.parse('{"EventID": 4624,', src)).toThrow(/^sec\.jsonl:4: invalid JSON/);
    expect(() => windows.parse('[1,2]', src)).toThrow(new AdapterError('sec.jsonl', 4, 'expected a JSON object'));
    expect(() => windows.parse({ TargetUserName: 'alice' }, src)).toThrow('sec.jsonl:4: field EventID: no Windows event id');
    expect(() => windows.parse({ ...logon, EventID: 'logon' }, src)).toThrow('sec.jsonl:4: field EventID: not an event id: "logon"');
    expect(() => windows.parse({ ...logon, '@timestamp': 'yesterday' }, src)).toThrow('sec.jsonl:4: field @timestamp: not a timestamp: "yesterday"');
    const { '@timestamp': _, ...timeless } = logon;
    expect(() => windows.parse(timeless, src)).toThrow('sec.jsonl:4: field @timestamp: no time');
    // an account that is no name is an error on its field, not the unknown user `?`
    expect(() => windows.parse({ ...logon, TargetUserName: { name: 'alice' } }, src)).toThrow('sec.jsonl:4: field TargetUserName: not an account name: {"name":"alice"}');
    expect(() => windows.parse({ ...logon, TargetUserName: ['alice'] }, src)).toThrow('sec.jsonl:4: field TargetUserName: not an account name');
  });

  it('bounds a reason quoting a huge value', () => {
    try {
      windows.parse({ ...logon, '@timestamp': 'x'.repeat(100_000) }, src);
      expect.unreachable();
    } catch (err) {
      expect((err as AdapterError).message.length).toBeLessThan(400);
    }
  });

  it('reads the good records around the bad ones, each in its place', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'seqsentry-win-')), 'mixed.jsonl');
    const lines = [JSON.stringify(logon), '{broken', JSON.stringify({ ...logon, EventID: 4688 }), '', JSON.stringify({ ...logon, EventID: 4625, Status: '0xC000006D' })];
    writeFileSync(file, lines.join('\n'));
    const stats = newReadStats();
    const items = [];
    for await (const item of readRecords([file], windows, stats)) items.push(item);
    expect(items.map((i) => [i.source.line, i.event ? i.event.fields[6] : i.error ? 'error' : i.skipped])).toEqual([
      [1, 'success'], [2, 'error'], [3, 'not an authentication event: Security event 4688'], [4, 'blank line'], [5, 'failure'],
    ]);
    expect(stats).toMatchObject({ records: 5, events: 2, errors: 1, skipped: 2, skipReasons: { 'blank line': 1, 'not an authentication event: Security event 4688': 1 } });
  });
});
