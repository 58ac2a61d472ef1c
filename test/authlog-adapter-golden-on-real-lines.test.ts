// The authlog adapter on real auth.log lines from ../shared/data/linux, one per program and message shape: every
// canonical value pinned (time in the year given, entities, fields), read in place.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

const UBUNTU = ['linux', 'ubuntu-internet-host-auth.log'];
const LINUX = ['linux', 'loghub', 'Linux', 'Linux_2k.log'];
const OPENSSH = ['linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log'];
const H = 'ip-10-77-20-248';

function parseLine(parts: string[], line: number, year: number) {
  const file = shared(...parts);
  // the loghub files end lines with CRLF; the reader drops the CR, as here
  const text = readFileSync(file, 'utf8').split(/\r?\n/)[line - 1] as string;
  return createAdapter('authlog', { year }).parse(text, { file, line });
}

describe.runIf(hasSharedData())('authlog adapter: golden lines from the shared samples', () => {
  it('has the field names the rarity pairs and the label file expect', () => {
    const a = createAdapter('authlog', { year: 2024 });
    expect(a.fieldNames).toEqual(['user', 'src_host', 'dst_host', 'program', 'action', 'auth_type', 'outcome', 'target_user']);
    expect(a.entityNames).toEqual(['user', 'src_host', 'dst_host']);
  });

  // [what, file, line, year, time, fields (user, src_host, dst_host, program, action, auth_type, outcome, target_user), repeated]
  const cases: Array<[string, string[], number, number, number, string[], number?]> = [
    ['sshd Accepted publickey', UBUNTU, 6, 2024, Date.UTC(2024, 2, 27, 13, 8, 9) / 1000, ['ubuntu', '85.245.107.41', H, 'sshd', 'accepted', 'publickey', 'success', '?']],
    ['sshd Failed password for invalid user', UBUNTU, 1813, 2024, Date.UTC(2024, 2, 29, 14, 15, 41) / 1000, ['pi', '181.25.206.27', H, 'sshd', 'failed_invalid_user', 'password', 'failure', '?']],
    ['sshd Invalid user with an empty name', UBUNTU, 5047, 2024, Date.UTC(2024, 3, 6, 20, 48, 25) / 1000, ['?', '34.204.227.175', H, 'sshd', 'invalid_user', '?', 'failure', '?']],
    ['sshd Connection closed [preauth]', UBUNTU, 251, 2024, Date.UTC(2024, 2, 27, 17, 8, 34) / 1000, ['?', '85.245.107.41', H, 'sshd', 'preauth_closed', '?', 'failure', '?']],
    ['sshd Did not receive identification string', UBUNTU, 102, 2024, Date.UTC(2024, 2, 27, 15, 30, 59) / 1000, ['?', '209.160.24.191', H, 'sshd', 'no_identification', '?', 'failure', '?']],
    ['sshd Received disconnect: disconnected by user', UBUNTU, 75, 2024, Date.UTC(2024, 2, 27, 13, 44, 19) / 1000, ['?', '85.245.107.41', H, 'sshd', 'disconnected', '?', 'success', '?']],
    ['sshd message repeated 5 times', UBUNTU, 2302, 2024, Date.UTC(2024, 2, 29, 23, 18, 33) / 1000, ['root', '218.60.136.106', H, 'sshd', 'failed', 'password', 'failure', '?'], 5],
    ['sshd PAM 5 more authentication failures', UBUNTU, 1834, 2024, Date.UTC(2024, 2, 29, 14, 15, 52) / 1000, ['?', '181.25.206.27', H, 'sshd', 'auth_failure', 'pam', 'failure', '?'], 5],
    ['sudo command: the acting user and the user it runs as', UBUNTU, 10, 2024, Date.UTC(2024, 2, 27, 13, 9, 37) / 1000, ['ubuntu', H, H, 'sudo', 'sudo', 'sudo', 'success', 'root']],
    ['sudo pam_unix session opened for root by ubuntu', UBUNTU, 11, 2024, Date.UTC(2024, 2, 27, 13, 9, 37) / 1000, ['ubuntu', H, H, 'sudo', 'session_opened', 'pam_unix', 'success', 'root']],
    ['su Successful su', UBUNTU, 151, 2024, Date.UTC(2024, 2, 27, 16, 16, 42) / 1000, ['root', H, H, 'su', 'su', 'su', 'success', 'root']],
    ['CRON pam_unix session opened by uid 0', UBUNTU, 40, 2024, Date.UTC(2024, 2, 27, 13, 17, 1) / 1000, ['root', H, H, 'cron', 'session_opened', 'pam_unix', 'success', 'root']],
    ['systemd-logind New session', UBUNTU, 9, 2024, Date.UTC(2024, 2, 27, 13, 8, 9) / 1000, ['ubuntu', H, H, 'systemd-logind', 'new_session', '?', 'success', '?']],
    ['useradd new user', UBUNTU, 1504, 2024, Date.UTC(2024, 2, 29, 10, 36, 43) / 1000, ['elastic_user_0', H, H, 'useradd', 'user_added', '?', 'success', '?']],
    ['chpasswd pam_unix chauthtok for an unknown user', UBUNTU, 1124, 2024, Date.UTC(2024, 2, 29, 10, 32, 51) / 1000, ['elastic_user_$login_count', H, H, 'chpasswd', 'unknown_user', 'pam_unix', 'failure', '?']],
    ['loghub sshd(pam_unix): authentication failure from a host name', LINUX, 64, 2005, Date.UTC(2005, 5, 15, 20, 5, 31) / 1000, ['?', 'd211-116-254-214.rev.krline.net', 'combo', 'sshd', 'auth_failure', 'pam', 'failure', '?']],
    ['loghub su(pam_unix): session opened by uid 0', LINUX, 14, 2005, Date.UTC(2005, 5, 15, 4, 6, 18) / 1000, ['cyrus', 'combo', 'combo', 'su', 'session_opened', 'pam_unix', 'success', 'cyrus']],
    ['klogind Authentication failed from an address', LINUX, 539, 2005, Date.UTC(2005, 5, 30, 20, 53, 4) / 1000, ['?', '163.27.187.39', 'combo', 'klogind', 'auth_failure', 'kerberos', 'failure', '?']],
    ['sshd pam_unix check pass; user unknown: no source named', OPENSSH, 4, 2015, Date.UTC(2015, 11, 10, 6, 55, 46) / 1000, ['?', '?', 'labsz', 'sshd', 'unknown_user', 'pam', 'failure', '?']],
    ['sshd Accepted password', OPENSSH, 956, 2015, Date.UTC(2015, 11, 10, 9, 32, 20) / 1000, ['fztu', '119.137.62.142', 'labsz', 'sshd', 'accepted', 'password', 'success', '?']],
    ['sshd Received disconnect ... [preauth] without a port', OPENSSH, 14, 2015, Date.UTC(2015, 11, 10, 7, 7, 45) / 1000, ['?', '52.80.34.196', 'labsz', 'sshd', 'preauth_disconnect', '?', 'failure', '?']],
  ];

  it.each(cases)('%s', (_what, parts, line, year, time, fields, repeated) => {
    const event = parseLine(parts, line, year);
    expect(event).toMatchObject({ time, entities: { user: fields[0], src_host: fields[1], dst_host: fields[2] }, fields, source: { line } });
    expect((event as { numeric?: { repeated: number } }).numeric?.repeated).toBe(repeated);
  });

  it('skips the lines of no authentication with the program or message named', () => {
    expect(parseLine(UBUNTU, 1, 2024)).toEqual({ skip: 'sshd message of no authentication' }); // Server listening on ...
    expect(parseLine(LINUX, 83, 2005)).toEqual({ skip: 'not an authentication program: ftpd' });
  });
});
