import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { newReadStats, readEvents } from '../src/adapters/read.js';
import { AdapterError } from '../src/core/errors.js';
import { hasSharedData, shared } from './support/env.js';

const lanl = createAdapter('lanl');
const src = { file: 'mem.csv', line: 7 };

describe.runIf(hasSharedData())('lanl adapter on the shared LANL samples', () => {
  it('reads the raw auth.txt head: machine accounts, ? placeholders, ANONYMOUS LOGON, AuthMap', async () => {
    const stats = newReadStats();
    const events = [];
    for await (const item of readEvents([shared('lanl', 'auth_first100_lines_t1.txt')], lanl, stats)) if (item.event) events.push(item.event);
    expect(stats).toMatchObject({ records: 100, events: 100, errors: 0, skipped: 0 });
    expect(events[0]?.entities).toEqual({ user: 'ANONYMOUS LOGON@C586', src_host: 'C1250', dst_host: 'C586' });
    expect(events.some((e) => e.fields[0]?.endsWith('$@DOM1'))).toBe(true);
    expect(events.some((e) => e.fields[4] === '?')).toBe(true);
  });

  it('reads safekit heads with their header and label column', async () => {
    const stats = newReadStats();
    const files = [0, 1, 2].map((d) => shared('lanl', 'safekit-heads', `day${d}_head_decoded.csv`));
    let first;
    for await (const item of readEvents(files, lanl, stats)) first ??= item.event;
    expect(stats).toMatchObject({ records: 15003, events: 15000, skipped: 3, errors: 0 });
    expect(first?.fields).toEqual(['U101@DOM1', 'C1862$@DOM1', 'C1862', 'C1862', '?', '?', 'AuthMap', 'Success']);
  });
});

describe('lanl adapter on broken records', () => {
  it('locates a short line', () => {
    expect(() => lanl.parse('1,U1@DOM1,C1', src)).toThrow(new AdapterError('mem.csv', 7, 'expected 9 comma-separated columns (10 with a label), found 3'));
  });

  it('names the field of a bad time and of an empty value', () => {
    expect(() => lanl.parse('x,U1@D,U1@D,C1,C2,NTLM,Network,LogOn,Success', src)).toThrow('mem.csv:7: field time: not a number: "x"');
    // digits, but no time: beyond the year 9999 (it would be dated after every real event)
    expect(() => lanl.parse(`${'9'.repeat(32)},U1@D,U1@D,C1,C2,NTLM,Network,LogOn,Success`, src)).toThrow('mem.csv:7: field time: not a time in seconds');
    expect(lanl.parse('253402300799,U1@D,U1@D,C1,C2,NTLM,Network,LogOn,Success', src)).toMatchObject({ time: 253402300799 });
    expect(() => lanl.parse('5,U1@D,U1@D,,C2,NTLM,Network,LogOn,Success', src)).toThrow('mem.csv:7: field src_host: empty value');
  });

  it('keeps cross-domain users and CRLF endings', () => {
    const e = lanl.parse('5,U1@DOM1,U1@DOM2,C1,C2,NTLM,Network,LogOn,Success\r', src);
    expect(e?.fields.slice(0, 2)).toEqual(['U1@DOM1', 'U1@DOM2']);
    expect(e?.fields[7]).toBe('Success');
  });
});
