// Classic syslog times are the host's wall clock: the `timezone` option (an IANA zone) turns them into UTC with the
// zone's own daylight saving; lines that carry their offset (ISO, RFC 5424) keep it; an unknown zone is refused.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { ConfigError } from '../src/core/errors.js';

const line = (stamp: string) => `${stamp} gw sshd[7]: Accepted password for alice from 10.0.0.1 port 22 ssh2`;
const timeOf = (options: Record<string, unknown>, text: string) => {
  const e = createAdapter('authlog', options).parse(text, { file: 'auth.log', line: 1 });
  return e && 'time' in e ? new Date(e.time * 1000).toISOString() : undefined;
};

describe('authlog timezone', () => {
  it('applies winter and summer time of the zone', () => {
    expect(timeOf({ year: 2024, timezone: 'Europe/Berlin' }, line('Jan 15 12:00:00'))).toBe('2024-01-15T11:00:00.000Z');
    expect(timeOf({ year: 2024, timezone: 'Europe/Berlin' }, line('Jul 15 12:00:00'))).toBe('2024-07-15T10:00:00.000Z');
    expect(timeOf({ year: 2024, timezone: 'America/New_York' }, line('Jul 15 12:00:00'))).toBe('2024-07-15T16:00:00.000Z');
    expect(timeOf({ year: 2024 }, line('Jul 15 12:00:00'))).toBe('2024-07-15T12:00:00.000Z'); // default UTC
  });

  it('leaves lines with their own offset alone', () => {
    expect(timeOf({ timezone: 'Asia/Tokyo' }, '2024-07-15T12:00:00+02:00 gw sshd[7]: Invalid user x from 10.0.0.1 port 2')).toBe('2024-07-15T10:00:00.000Z');
  });

  it('refuses a zone it does not know, by name', () => {
    expect(() => createAdapter('authlog', { timezone: 'Mars/Olympus' })).toThrow(ConfigError);
    expect(() => createAdapter('authlog', { timezone: 'Mars/Olympus' })).toThrow('config adapter_options.timezone: not an IANA time zone');
  });
});
