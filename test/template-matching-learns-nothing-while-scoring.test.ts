// At scoring time a message is matched to a stored template and nothing is learnt: a message no template takes gets
// `<unmatched>` (counted), the table stays as stored, and the syslog adapter built from the table (as every scoring
// path builds it from a bundle's adapter_options) gives the same ids as the matcher. A table mined with other masks
// is refused with the key that names it.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { createAdapter } from '../src/adapters/registry.js';
import { TemplateMatcher } from '../src/templates/matcher.js';
import { TemplateMiner } from '../src/templates/miner.js';
import { TemplateTableSchema, UNMATCHED } from '../src/templates/table.js';

const TRAINING = [
  'Accepted publickey for ubuntu from 10.1.1.1 port 50022 ssh2',
  'Accepted publickey for admin from 10.1.1.2 port 50023 ssh2',
  'Invalid user oracle from 203.0.113.9 port 41000',
  'Invalid user test from 203.0.113.10 port 41001',
  'pam_unix(cron:session): session opened for user root by (uid=0)',
];

function mined() {
  const miner = new TemplateMiner();
  for (const m of TRAINING) miner.add(m);
  // through JSON and the schema, as a bundle's adapter_options come back
  return TemplateTableSchema.parse(JSON.parse(JSON.stringify(miner.table())));
}

describe('template matching at scoring time', () => {
  it('gives known shapes their template, an unknown one <unmatched>, counts both and learns nothing', () => {
    const table = mined();
    const before = JSON.stringify(table);
    const matcher = new TemplateMatcher(table);
    expect(matcher.match('Accepted publickey for carol from 192.0.2.7 port 1234 ssh2')).toBe('T1');
    expect(matcher.match('Invalid user guest from 198.51.100.1 port 22')).toBe('T2');
    expect(matcher.match('kernel: segfault at 0 ip 00007f sp 00007ffe error 4 in libc.so.6')).toBe(UNMATCHED);
    // the same unknown shape again: still unmatched, since scoring adds no template
    expect(matcher.match('kernel: segfault at 8 ip 00007f sp 00007ffe error 4 in libc.so.6')).toBe(UNMATCHED);
    expect([matcher.matched, matcher.unmatched]).toEqual([2, 2]);
    expect(JSON.stringify(table)).toBe(before);
  });

  it('the syslog adapter with the table in its options writes the same ids into the template field', () => {
    const adapter = createAdapter('syslog', { year: 2024, templates: mined() });
    const template = (msg: string) => (adapter.parse(`Mar 27 13:06:56 web1 sshd[42]: ${msg}`, { file: 't', line: 1 }) as CanonicalEvent).fields[4];
    expect(template('Invalid user guest from 198.51.100.1 port 22')).toBe('T2');
    expect(template('Server listening on 0.0.0.0 port 22.')).toBe(UNMATCHED);
  });

  it('refuses a table mined with another preprocessing table, naming the key', () => {
    const table = { ...mined(), masks: ['ip', 'number'] };
    expect(() => createAdapter('syslog', { templates: table })).toThrow(/adapter_options\.templates\.masks.*mine the templates again/);
  });
});
