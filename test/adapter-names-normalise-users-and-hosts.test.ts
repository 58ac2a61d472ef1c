// One account or machine is one entity whatever a source wrote: the spellings of users, hosts, domains and codes
// that Windows and syslog sources use, and the placeholders that mean "none".
import { describe, expect, it } from 'vitest';
import { ABSENT, normaliseCode, normaliseDomain, normaliseHost, normaliseIp, normaliseUser } from '../src/adapters/names.js';

describe('adapter names', () => {
  it('reads DOMAIN\\user, user@domain and plain names as one lower-case user, keeping a machine account\'s $', () => {
    expect(normaliseUser('CORP\\Alice')).toEqual({ user: 'alice', domain: 'corp' });
    expect(normaliseUser('alice@CORP.LOCAL')).toEqual({ user: 'alice', domain: 'corp' });
    expect(normaliseUser(' ALICE ')).toEqual({ user: 'alice', domain: undefined });
    expect(normaliseUser('WS1$@THESHIRE.LOCAL')).toEqual({ user: 'ws1$', domain: 'theshire' });
    for (const none of ['-', '', '  ', null, undefined, {}]) expect(normaliseUser(none).user).toBe(ABSENT);
  });

  it('gives a host its lower-case short name, without UNC slashes or a computer account $', () => {
    expect(normaliseHost('WS1.corp.local')).toBe('ws1');
    expect(normaliseHost('\\\\WS1')).toBe('ws1');
    expect(normaliseHost('ROOTDC1$')).toBe('rootdc1');
    expect(normaliseHost('ws1')).toBe('ws1');
  });

  it('keeps addresses whole, maps IPv4-mapped IPv6 to IPv4, and takes loopback and placeholders as absent', () => {
    expect(normaliseHost('10.1.2.3')).toBe('10.1.2.3');
    expect(normaliseHost('::ffff:10.23.123.11')).toBe('10.23.123.11');
    expect(normaliseHost('FE80::1')).toBe('fe80::1');
    for (const none of ['-', '::1', '127.0.0.1', 'localhost', '', 'NULL']) expect(normaliseHost(none)).toBe(ABSENT);
    expect(normaliseIp('127.0.1.1')).toBe(ABSENT);
  });

  it('takes a domain\'s first label, so NetBIOS and DNS names of one domain agree', () => {
    expect(normaliseDomain('MORDOR.LOCAL')).toBe('mordor');
    expect(normaliseDomain('MORDOR')).toBe('mordor');
    expect(normaliseDomain('-')).toBe(ABSENT);
  });

  it('writes hexadecimal codes one way: 0x00000012, 0x12, 18 and 0XC000006D', () => {
    expect(normaliseCode('0x00000012')).toBe('0x12');
    expect(normaliseCode('0x12')).toBe('0x12');
    expect(normaliseCode(18)).toBe('0x12');
    expect(normaliseCode('0XC000006D')).toBe('0xc000006d');
    expect(normaliseCode('0x00000000')).toBe('0x0');
    expect(normaliseCode('-')).toBe(ABSENT);
    expect(normaliseCode('9'.repeat(40))).toBe('9'.repeat(40)); // too long to be a code: kept as text, never a huge BigInt
  });
});
