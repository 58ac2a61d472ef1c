// The syslog adapter keeps every line of any program: on each Linux sample of ../shared/data every line is an event
// (0 unreadable), with the program loghub's structured CSV names and the message loghub calls its Content; a line
// without a timestamp is the only unreadable kind, and its error names file, line and field. Golden real lines show
// host, program, facility and severity (from an RFC 5424 priority) and the message in `text`.
import { describe, expect, it } from 'vitest';
import { newReadStats, readRecords, type ReadStats } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { readLoghubStructured } from '../src/eval/grouping-accuracy.js';
import { hasSharedData, shared } from './support/env.js';

async function read(file: string): Promise<{ stats: ReadStats; events: CanonicalEvent[] }> {
  const stats = newReadStats();
  const events: CanonicalEvent[] = [];
  for await (const item of readRecords([file], createAdapter('syslog', { year: 2005 }), stats)) if (item.event) events.push(item.event);
  process.stdout.write(`${file}: ${stats.records} records, ${stats.events} events, ${stats.skipped} skipped, ${stats.errors} errors\n`);
  return { stats, events };
}

/** The program of a loghub Component: its PAM module (`sshd(pam_unix)`) and sysklogd's version (`syslogd 1.4.1`) left out. */
const loghubProgram = (component: string) => component.replace(/\(.*\)$/, '').replace(/ [\d.]+$/, '').toLowerCase();

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

describe.runIf(hasSharedData())('syslog adapter on every shared Linux sample', () => {
  it('Linux_2k (/var/log/messages): 2,000 events, each with loghub\'s program and message (Component, Content)', async () => {
    const { stats, events } = await read(shared('linux', 'loghub', 'Linux', 'Linux_2k.log'));
    expect(stats).toMatchObject({ records: 2000, events: 2000, skipped: 0, errors: 0 });
    const truth = await readLoghubStructured(shared('linux', 'loghub', 'Linux', 'Linux_2k.log_structured.csv'));
    events.forEach((e, i) => {
      const row = truth[i];
      // `combo  -- root[2421]: ROOT LOGIN ON tty2` has no program tag: the message keeps what stands in its place
      if (e.source.line === 899) expect([e.fields[1], e.text]).toEqual(['?', '-- root[2421]: ROOT LOGIN ON tty2']);
      else expect([e.fields[1], e.text?.trim()], `line ${i + 1}`).toEqual([loghubProgram(row?.component ?? ''), row?.content.trim()]);
      expect(e.entities).toEqual({ src_host: 'combo', program: e.fields[1] });
    });
    const programs = countBy(events.map((e) => e.fields[1] as string));
    expect(programs).toMatchObject({ ftpd: 916, sshd: 677, su: 172, kernel: 76, klogind: 46, logrotate: 43 });
  });

  it('OpenSSH_2k: 2,000 sshd events, each message loghub\'s Content', async () => {
    const { stats, events } = await read(shared('linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log'));
    expect(stats).toMatchObject({ records: 2000, events: 2000, skipped: 0, errors: 0 });
    const truth = await readLoghubStructured(shared('linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log_structured.csv'));
    expect(events.map((e) => e.text?.trim())).toEqual(truth.map((t) => t.content.trim()));
    expect(new Set(events.map((e) => `${e.fields[0]} ${e.fields[1]}`))).toEqual(new Set(['labsz sshd']));
  });

  it('the Ubuntu internet host: all 7,121 lines are events, the programs auth.log skips among them', async () => {
    const { stats, events } = await read(shared('linux', 'ubuntu-internet-host-auth.log'));
    expect(stats).toMatchObject({ records: 7121, events: 7121, skipped: 0, errors: 0 });
    expect(countBy(events.map((e) => e.fields[1] as string))).toMatchObject({ sshd: 4095, cron: 1264, sudo: 557, 'systemd-logind': 452, chpasswd: 417, groupadd: 3 });
  });
});

describe('syslog adapter on single lines', () => {
  const adapter = createAdapter('syslog', { year: 2024 });
  const parse = (line: string) => adapter.parse(line, { file: 'golden.log', line: 7 }) as CanonicalEvent;

  it('reads host, program, pid-less tags and the message of a classic line', () => {
    const e = parse('Mar 27 13:06:56 ip-10-77-20-248 systemd-logind[1118]: Watching system buttons on /dev/input/event0 (Power Button)');
    expect(e.fields).toEqual(['ip-10-77-20-248', 'systemd-logind', '?', '?', '?']);
    expect(e.text).toBe('Watching system buttons on /dev/input/event0 (Power Button)');
    expect(e.time).toBe(Date.UTC(2024, 2, 27, 13, 6, 56) / 1000);
  });

  it('takes facility and severity from an RFC 5424 priority', () => {
    // <86> = facility 10 (authpriv) * 8 + severity 6 (info)
    const e = parse('<86>1 2024-03-27T13:06:56.123Z web1.example.org sshd 4242 - - Accepted publickey for alice from 10.1.2.3 port 50022 ssh2');
    expect(e.fields).toEqual(['web1', 'sshd', 'authpriv', 'info', '?']);
    expect(e.text).toBe('Accepted publickey for alice from 10.1.2.3 port 50022 ssh2');
  });

  it('refuses a line without a timestamp with a located error', () => {
    expect(() => parse('this is not syslog')).toThrow(/golden\.log:7: field timestamp: not a syslog line/);
  });
});
