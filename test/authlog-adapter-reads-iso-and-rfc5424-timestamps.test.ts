// auth.log lines with a full timestamp: rsyslog's high-precision ISO 8601 format and RFC 5424 (structured data,
// nil values), the zone applied and the year option not needed; a broken header is a located error.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';

const authlog = createAdapter('authlog', { year: 1999 }); // the year option must not touch lines that carry theirs
const src = { file: 'auth.log', line: 3 };

describe('authlog timestamps with a year', () => {
  it('reads rsyslog high-precision lines in their zone', () => {
    expect(authlog.parse('2024-03-27T13:06:56.123456+01:00 gw.example.org sshd[7]: Failed password for root from 203.0.113.9 port 5 ssh2', src)).toMatchObject({
      time: Date.UTC(2024, 2, 27, 12, 6, 56, 123) / 1000,
      fields: ['root', '203.0.113.9', 'gw', 'sshd', 'failed', 'password', 'failure', '?'],
    });
  });

  it('reads RFC 5424 with structured data (a quoted "]" inside) and with nil values', () => {
    const sd = '<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality tzKnown="1" isSynced="0"][x@123 test="[brackets]"] Failed unknown for invalid user redmond from 192.0.2.2 port 57012 ssh2';
    expect(authlog.parse(sd, src)).toMatchObject({
      time: Date.UTC(2019, 6, 8, 21, 40, 17, 954) / 1000,
      fields: ['redmond', '192.0.2.2', 'hostname', 'sshd', 'failed_invalid_user', 'unknown', 'failure', '?'],
    });
    expect(authlog.parse('<86>1 2024-01-02T03:04:05Z db1 sudo - - - alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls', src)).toMatchObject({
      time: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000,
      fields: ['alice', 'db1', 'db1', 'sudo', 'sudo', 'sudo', 'success', 'root'],
    });
  });

  it('keeps the fraction of a classic timestamp', () => {
    expect(authlog.parse('Mar 27 13:06:56.250 gw sshd[7]: Invalid user admin from 203.0.113.9 port 4', src)).toMatchObject({ time: Date.UTC(1999, 2, 27, 13, 6, 56, 250) / 1000 });
  });

  it('locates a line without a syslog header, an impossible ISO time and a missing tag', () => {
    expect(() => authlog.parse('Failed password for root from 203.0.113.9', src)).toThrow('auth.log:3: field timestamp: not a syslog line');
    expect(() => authlog.parse('2024-13-45T99:00:00Z gw sshd[7]: Accepted password for a from 10.0.0.1 port 2 ssh2', src)).toThrow('auth.log:3: field timestamp: not a timestamp: "2024-13-45T99:00:00Z"');
    expect(() => authlog.parse('Mar 27 13:06:56 gw this is not a tag', src)).toThrow('auth.log:3: field program: no "program[pid]:" tag');
  });
});
