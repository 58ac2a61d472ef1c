// Web/SSO logins: the login-risk services' request shape and ECS-like documents read as one canonical event, enriched
// offline from the packaged databases (browser/OS/device family, country, autonomous system); a record without a
// user or a readable time is a located error. No shared sample of web logins exists: the records are written here.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { asnOf, countryOf, userAgentFamily } from '../src/adapters/weblogin-enrich.js';
import { ConfigError } from '../src/core/errors.js';

const weblogin = createAdapter('weblogin');
const src = { file: 'logins.jsonl', line: 2 };
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const CHROME_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('weblogin adapter', () => {
  it('declares its fields, with auth_type for the user+auth_type pair', () => {
    expect(weblogin.fieldNames).toEqual(['user', 'src_host', 'dst_host', 'country', 'asn', 'browser', 'os', 'device', 'outcome', 'auth_type']);
    expect(weblogin.entityNames).toEqual(['user', 'src_host', 'dst_host', 'src_ip']);
    expect(weblogin.documentFields).toBeNull(); // times come in nanoseconds too: the sidecar stamps entity and time
  });

  it('reads the login-risk request shape (timestamp in nanoseconds, location = IP)', () => {
    const e = weblogin.parse({ userAgent: IPHONE, timestamp: '1733400000123456789', userID: 'u-42', location: '8.8.8.8' }, src);
    expect(e).toMatchObject({
      time: 1733400000.1234567,
      entities: { user: 'u-42', src_host: '8.8.8.8', dst_host: '?', src_ip: '8.8.8.8' },
      fields: ['u-42', '8.8.8.8', '?', 'US', 'AS15169', 'Mobile Safari', 'iOS', 'mobile', '?', '?'],
    });
  });

  it('reads ECS-like JSON lines: nested names, ISO time, IPv6, outcome and application', () => {
    const line = JSON.stringify({ '@timestamp': '2024-12-05T10:00:00Z', user: { id: 'bob' }, source: { ip: '2606:4700:4700::1111' }, user_agent: { original: CHROME_WIN }, event: { outcome: 'failure' }, app: 'Portal', method: 'PASSWORD' });
    expect(weblogin.parse(line, src)).toMatchObject({
      time: Date.UTC(2024, 11, 5, 10) / 1000,
      fields: ['bob', '2606:4700:4700::1111', 'portal', 'US', 'AS13335', 'Chrome', 'Windows', 'desktop', 'failure', 'password'],
    });
  });

  it('reads times in seconds and milliseconds by their size, and outcomes as booleans or words', () => {
    const at = (timestamp: unknown, outcome: unknown) => weblogin.parse({ userID: 'a', timestamp, outcome, location: '10.1.2.3' }, src) as { time: number; fields: string[] };
    expect(at(1733400000, true).time).toBe(1733400000);
    expect(at(1733400000250, 'OK').time).toBe(1733400000.25);
    expect([at(1, true), at(1, false), at(1, 'denied'), at(1, 'Succeeded'), at(1, 'mfa_pending')].map((e) => e.fields[8])).toEqual(['success', 'failure', 'failure', 'success', 'mfa_pending']);
    // a private address has no country or AS
    expect(at(1, true).fields.slice(3, 5)).toEqual(['?', '?']);
  });

  it('takes a field map for other names, and names a bad option', () => {
    const custom = createAdapter('weblogin', { fields: { user: ['account'], ip: ['remote'] } });
    expect(custom.parse({ account: 'carol', remote: '1.0.0.1', time: '2024-01-01T00:00:00Z' }, src)).toMatchObject({ entities: { user: 'carol', src_ip: '1.0.0.1' }, fields: expect.arrayContaining(['AS13335']) });
    expect(() => createAdapter('weblogin', { fields: { usr: ['x'] } })).toThrow(ConfigError);
  });

  it('locates a login without a user, without a time or with an unreadable one', () => {
    expect(() => weblogin.parse({ timestamp: 1733400000, location: '8.8.8.8' }, src)).toThrow('logins.jsonl:2: field userID: no user id');
    expect(() => weblogin.parse({ userID: 'a', location: '8.8.8.8' }, src)).toThrow('logins.jsonl:2: field timestamp: no time');
    expect(() => weblogin.parse({ userID: 'a', timestamp: 'yesterday' }, src)).toThrow('logins.jsonl:2: field timestamp: not a timestamp: "yesterday"');
    expect(() => weblogin.parse('{"userID":', src)).toThrow(/^logins\.jsonl:2: invalid JSON/);
  });
});

describe('weblogin enrichment from the packaged databases', () => {
  it('finds country and AS offline, for IPv4 and IPv6, and none for private or reserved addresses', () => {
    expect([countryOf('8.8.8.8'), asnOf('8.8.8.8')]).toEqual(['US', 'AS15169']);
    expect(asnOf('1.0.0.1')).toBe('AS13335');
    expect(asnOf('2606:4700:4700::1111')).toBe('AS13335');
    for (const ip of ['10.0.0.1', '192.168.1.1', '172.20.0.5', '100.64.1.1', '169.254.1.1', '::1', 'fd00::1', 'fe80::1', 'not-an-ip']) expect([countryOf(ip), asnOf(ip)]).toEqual(['?', '?']);
  });

  it('gives the family of a user agent, desktop when it names no device, nothing for an empty one', () => {
    expect(userAgentFamily(IPHONE)).toEqual({ browser: 'Mobile Safari', os: 'iOS', device: 'mobile' });
    expect(userAgentFamily(CHROME_WIN)).toEqual({ browser: 'Chrome', os: 'Windows', device: 'desktop' });
    expect(userAgentFamily('curl/8.5.0')).toEqual({ browser: '?', os: '?', device: '?' });
    expect(userAgentFamily('')).toEqual({ browser: '?', os: '?', device: '?' });
  });
});
