// Every line of every Linux sample in ../shared/data/linux yields an event, a skip with its reason, or a located
// error: the counts add up per file, and each line's outcome agrees with an independent reading of it (loghub's
// own template and component of every line; the sshd lines of the Ubuntu host by their wording).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newReadStats, readRecords, type ReadStats } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

type Outcome = string; // the event's action, `skip`, or `error`

async function outcomes(file: string, year: number): Promise<{ stats: ReadStats; got: Outcome[] }> {
  const stats = newReadStats();
  const got: Outcome[] = [];
  for await (const item of readRecords([file], createAdapter('authlog', { year }), stats)) {
    got[item.source.line - 1] = item.event ? (item.event.fields[4] as string) : item.error ? 'error' : 'skip';
  }
  process.stdout.write(`${file}: ${stats.records} records, ${stats.events} events, ${stats.skipped} skipped, ${stats.errors} errors\n`);
  return { stats, got };
}

/**
 * loghub's structured CSV: per line, its component and template id, by the header's column names (Content may
 * hold commas: the template id is the first `E<n>` column after it).
 */
function structured(file: string): Array<{ component: string; eventId: string }> {
  const [header, ...rows] = readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
  const names = (header as string).split(',');
  const component = names.indexOf('Component');
  const content = names.indexOf('Content');
  return rows.map((row) => {
    const cols = row.split(',');
    const eventId = cols.find((c, i) => i > content && /^E\d+$/.test(c)) as string;
    return { component: cols[component] as string, eventId };
  });
}

/** OpenSSH_2k's templates (its _templates.csv) and the action each stands for; `skip` for those of no authentication. */
const OPENSSH_ACTIONS: Record<string, string> = {
  E1: 'accepted', E2: 'preauth_closed', E3: 'no_identification', E4: 'too_many_failures', E5: 'too_many_failures',
  E6: 'preauth_disconnect', E7: 'preauth_disconnect', E8: 'failed_invalid_user', E9: 'failed', E10: 'failed_invalid_user',
  E11: 'preauth_closed', E12: 'invalid_user', E13: 'invalid_user', E14: 'failed', E15: 'auth_failure', E16: 'auth_failure',
  E17: 'auth_failure', E18: 'skip', E19: 'auth_failure', E20: 'auth_failure', E21: 'unknown_user', E22: 'session_closed',
  E23: 'session_opened', E24: 'preauth_disconnect', E25: 'preauth_disconnect', E26: 'disconnected', E27: 'skip',
};

describe.runIf(hasSharedData())('authlog adapter on every shared Linux sample', () => {
  it('OpenSSH_2k: every line as its loghub template says', async () => {
    const { stats, got } = await outcomes(shared('linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log'), 2015);
    const expected = structured(shared('linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log_structured.csv')).map((r) => OPENSSH_ACTIONS[r.eventId]);
    expect(got).toEqual(expected);
    expect(stats).toMatchObject({ records: 2000, events: 1908, skipped: 92, errors: 0, skipReasons: { 'sshd message of no authentication': 92 } });
  });

  it('Linux_2k (/var/log/messages): the authenticating components are events, the rest skipped by program', async () => {
    const { stats, got } = await outcomes(shared('linux', 'loghub', 'Linux', 'Linux_2k.log'), 2005);
    const rows = structured(shared('linux', 'loghub', 'Linux', 'Linux_2k.log_structured.csv'));
    const authenticating = new Set(['sshd(pam_unix)', 'su(pam_unix)', 'klogind', 'login(pam_unix)', 'gdm(pam_unix)']);
    rows.forEach((r, i) => {
      if (r.component === '-- root') expect(got[i], `line ${i + 1}`).toBe('error'); // `combo  -- root[2421]:` has no program tag
      else if (authenticating.has(r.component)) expect(got[i], `line ${i + 1}`).not.toMatch(/^(skip|error)$/);
      else expect(got[i], `line ${i + 1}`).toBe('skip');
    });
    expect(stats).toMatchObject({ records: 2000, events: 899, skipped: 1100, errors: 1 });
    expect(stats.firstErrors[0]?.message).toMatch(/Linux_2k\.log:899: field program: no "program\[pid\]:" tag/);
    expect(stats.skipReasons['not an authentication program: ftpd']).toBe(916);
  });

  it('the Ubuntu internet host: every sshd logon, failure and preauth line is an event, nothing unreadable', async () => {
    const file = shared('linux', 'ubuntu-internet-host-auth.log');
    const { stats, got } = await outcomes(file, 2024);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const sshdAuth = /sshd\[\d+\]: (Accepted|Failed|Invalid user|Connection closed by|Disconnected from|error: maximum authentication|message repeated)/;
    lines.forEach((l, i) => {
      if (sshdAuth.test(l)) expect(got[i], l).not.toMatch(/^(skip|error)$/);
      if (/ (groupadd)\[/.test(l)) expect(got[i], l).toBe('skip');
    });
    expect(stats).toMatchObject({ records: 7121, events: 6896, skipped: 225, errors: 0 });
    expect(stats.skipReasons).toEqual({
      'sshd message of no authentication': 191,
      'systemd-logind message of no authentication': 3,
      'su terminal line (repeats the su line before it)': 9,
      'pam_systemd su message of no authentication': 9,
      'useradd message of no authentication': 10,
      'not an authentication program: groupadd': 3,
    });
  });
});
