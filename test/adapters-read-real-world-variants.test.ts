// Variants real shippers write that the adapters misread before (found by adversarial review, 2026-12-07): OpenSSH
// 9.8's sshd-session, su's failed PAM logon, RFC 5424's byte order mark, a zone-less ISO syslog time with the timezone
// option, ECS's `-` placeholders and epoch seconds, a client as `ip:port` or a forwarded-for chain, and times of the
// wrong unit or beyond any date, which are located errors now instead of events dated 1969 or the year 50197.
import { describe, expect, it } from 'vitest';
import { isNoEvent } from '../src/adapters/adapter.js';
import { isIp } from '../src/adapters/names.js';
import { createAdapter } from '../src/adapters/registry.js';
import { clientAddress } from '../src/adapters/weblogin.js';
import type { CanonicalEvent } from '../src/core/event.js';

const src = { file: 'variants', line: 3 };
const parse = (format: string, record: unknown, options?: Record<string, unknown>): CanonicalEvent => {
  const got = createAdapter(format, options).parse(record as string, src);
  if (got === null || isNoEvent(got)) throw new Error(`no event: ${JSON.stringify(got)}`);
  return got;
};
const field = (format: string, e: CanonicalEvent, name: string) => e.fields[createAdapter(format).fieldNames.indexOf(name)];

describe('authlog and syslog variants', () => {
  it('reads OpenSSH 9.8+ sshd-session and 10.0 sshd-auth lines as sshd', () => {
    for (const program of ['sshd-session', 'sshd-auth']) {
      const e = parse('authlog', `Jan  1 00:00:01 h ${program}[1]: Accepted password for alice from 10.0.0.1 port 22 ssh2`, { year: 2024 });
      expect(e.entities).toEqual({ user: 'alice', src_host: '10.0.0.1', dst_host: 'h' });
      expect(field('authlog', e, 'program')).toBe('sshd');
      expect(field('authlog', e, 'action')).toBe('accepted');
    }
  });

  it('names su\'s acting user and the host itself on a failed PAM logon, as on a successful su', () => {
    const e = parse('authlog', 'Jan  1 00:00:02 h1 su: pam_unix(su-l:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root', { year: 2024 });
    expect(e.entities).toEqual({ user: 'alice', src_host: 'h1', dst_host: 'h1' });
    expect(field('authlog', e, 'target_user')).toBe('root');
    // sshd's PAM failure names no acting user: the account tried is the user, its client the source, as before.
    const ssh = parse('authlog', 'Jan  1 00:00:03 h1 sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.7  user=root', { year: 2024 });
    expect(ssh.entities).toEqual({ user: 'root', src_host: '10.0.0.7', dst_host: 'h1' });
  });

  it('strips the byte order mark RFC 5424 puts before a UTF-8 message', () => {
    const e = parse('authlog', '<38>1 2024-01-01T00:00:07.000Z host1 sshd 105 - - \uFEFFFailed password for root from 10.0.0.4 port 22 ssh2');
    expect(field('authlog', e, 'action')).toBe('failed');
    expect(parse('syslog', '<38>1 2024-01-01T00:00:07.000Z host1 app 1 - - \uFEFFhello').text).toBe('hello');
  });

  it('reads a zone-less ISO time in the timezone option, as a classic line of the same clock', () => {
    const opts = { year: 2024, timezone: 'Europe/Berlin' };
    const classic = parse('syslog', 'Jan  1 00:00:04 host1 app[1]: x', opts);
    const iso = parse('syslog', '2024-01-01T00:00:04 host1 app[1]: x', opts);
    expect(iso.time).toBe(classic.time);
    expect(new Date(iso.time * 1000).toISOString()).toBe('2023-12-31T23:00:04.000Z');
    // A time with its zone is that time whatever the option.
    expect(parse('syslog', '2024-01-01T00:00:04Z host1 app[1]: x', opts).time).toBe(Date.UTC(2024, 0, 1, 0, 0, 4) / 1000);
  });
});

describe('ECS and Windows variants', () => {
  it('takes the next path where Windows wrote "-" for no workstation', () => {
    const e = parse('ecs', { '@timestamp': '2024-03-01T10:00:00Z', user: { name: 'alice' }, winlog: { event_data: { WorkstationName: '-', IpAddress: '10.0.0.9' } }, host: { name: 'srv' } });
    expect(e.entities.src_host).toBe('10.0.0.9');
    const nobody = parse('ecs', { '@timestamp': '2024-03-01T10:00:00Z', user: { name: '-' }, host: { name: 'srv' } });
    expect(nobody.entities.user).toBe('?');
  });

  it('reads epoch numbers by magnitude: seconds, milliseconds', () => {
    const at = Date.UTC(2024, 2, 1, 10) / 1000;
    expect(parse('ecs', { '@timestamp': at, user: { name: 'a' } }).time).toBe(at);
    expect(parse('ecs', { '@timestamp': at * 1000, user: { name: 'a' } }).time).toBe(at);
  });

  it('refuses, located, a time before 1970 or beyond the year 9999', () => {
    const windows = { '@timestamp': 1e300, winlog: { event_id: 4624, channel: 'Security', event_data: { TargetUserName: 'alice', LogonType: '3' }, computer_name: 'dc1' } };
    expect(() => createAdapter('windows').parse(windows as never, src)).toThrow(/variants:3: field @timestamp: not a time: 1e\+300 lies beyond the year 9999/);
    expect(() => createAdapter('weblogin').parse({ userID: 'alice', timestamp: -5, location: '1.2.3.4' } as never, src)).toThrow(/not a time: -5 lies before 1970/);
    expect(() => createAdapter('ecs').parse({ '@timestamp': '1900-01-01T00:00:00Z', user: { name: 'a' } } as never, src)).toThrow(/lies before 1970/);
  });
});

describe('Zeek and web-login variants', () => {
  it('reads Zeek JSON::TS_MILLIS integer milliseconds', () => {
    const rec = { _path: 'conn', ts: 1521911720865, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_h': '10.0.0.2', 'id.resp_p': 53, proto: 'udp' };
    const e = createAdapter('zeek').parse(rec as never, src);
    expect(e !== null && !isNoEvent(e) && e.time).toBeCloseTo(1521911720.865, 3);
  });

  it('takes a login\'s client without its port, and the first hop of a forwarded-for chain', () => {
    expect(clientAddress('1.2.3.4:5678')).toBe('1.2.3.4');
    expect(clientAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(clientAddress('203.0.113.7, 10.0.0.1')).toBe('203.0.113.7');
    const e = parse('weblogin', { userID: 'alice', timestamp: 1709287200, location: '1.2.3.4:5678' });
    expect(e.entities.src_ip).toBe('1.2.3.4');
    expect(e.entities.src_host).toBe('1.2.3.4');
  });

  it('takes only valid addresses for IPs', () => {
    for (const ip of ['10.0.0.1', '2001:db8::1', '::ffff:10.0.0.1']) expect(isIp(ip), ip).toBe(true);
    for (const bad of ['999.999.999.999', 'dead:beef', '1:2:3', '1.2.3.4:80']) expect(isIp(bad), bad).toBe(false);
  });
});

describe('JSON field paths', () => {
  it('read only the document\'s own keys, never Object\'s', () => {
    const ecs = createAdapter('ecs', { fields: { user: ['constructor'], src_host: ['__proto__'] } });
    const got = ecs.parse({ '@timestamp': '2024-03-01T10:00:00Z', host: { name: 'srv' } } as never, src);
    expect(got !== null && !isNoEvent(got) && got.entities).toMatchObject({ user: '?', src_host: '?' });
  });
});

describe('Windows EventData as the XML reads into JSON', () => {
  it('reads the list of named Data elements', () => {
    const e = parse('windows', { EventID: 4624, TimeCreated: '2024-03-01T10:00:00Z', Channel: 'Security', Computer: 'DC01', EventData: { Data: [{ Name: 'TargetUserName', '#text': 'alice' }, { '@Name': 'LogonType', '#text': '3' }, { '#attributes': { Name: 'IpAddress' }, '#text': '10.0.0.9' }] } });
    expect(e.entities).toEqual({ user: 'alice', src_host: '10.0.0.9', dst_host: 'dc01', src_ip: '10.0.0.9' });
    expect(field('windows', e, 'logon_type')).toBe('3');
  });
});
