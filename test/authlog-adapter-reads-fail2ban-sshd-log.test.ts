// fail2ban's sshd test log (Debian's fail2ban package, tests/files/logs/sshd): real sshd lines from many systems
// and versions, each annotated with whether fail2ban's filter counts it as a failure and the host it bans. Every
// line it counts must be an event of ours, with that host as the source where the line names it, at that time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNoEvent } from '../src/adapters/adapter.js';
import { normaliseIp } from '../src/adapters/names.js';
import { createAdapter } from '../src/adapters/registry.js';
import { AdapterError } from '../src/core/errors.js';
import { findFail2banLogs } from './support/env.js';

interface Annotated {
  line: number;
  text: string;
  fail?: { time?: string; match: boolean; host?: string };
}

/** The log lines of a fail2ban test log, each with the `# failJSON:` annotation before it (if any). */
function annotatedLines(file: string): Annotated[] {
  const out: Annotated[] = [];
  let pending: Annotated['fail'];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (text.startsWith('# failJSON:')) pending = JSON.parse(text.slice('# failJSON:'.length)) as Annotated['fail'];
    else if (text.trim() !== '' && !text.startsWith('#')) {
      out.push({ line: i + 1, text, fail: pending });
      pending = undefined;
    }
  });
  return out;
}

const logs = findFail2banLogs();

describe.runIf(logs !== null)("authlog adapter on fail2ban's annotated sshd log", () => {
  it('reads every line fail2ban counts as a failure as an event, with its host and time', () => {
    const file = join(logs as string, 'sshd');
    const authlog = createAdapter('authlog', { year: 2005 });
    const lines = annotatedLines(file);
    const counts = { lines: lines.length, counted: 0, events: 0, skipped: 0, errors: 0, hostChecked: 0, timeChecked: 0 };
    const errors: string[] = [];
    for (const { line, text, fail } of lines) {
      let event;
      try {
        event = authlog.parse(text, { file, line });
      } catch (err) {
        expect(err).toBeInstanceOf(AdapterError);
        counts.errors += 1;
        errors.push(text);
        continue;
      }
      if (!event || isNoEvent(event)) counts.skipped += 1;
      else counts.events += 1;
      if (!fail?.match) continue;
      counts.counted += 1;
      expect(event && !isNoEvent(event), `line ${line}: ${text}`).toBe(true);
      if (!event || isNoEvent(event)) continue;
      // fail2ban also counts a few successes that follow failures of one session (its multi-line filters)
      if (event.fields[4] !== 'accepted') expect(event.fields[6], `line ${line}: ${text}`).toBe('failure');
      const host = fail.host === undefined ? undefined : String(fail.host).toLowerCase();
      // hosts fail2ban takes from another line of the session (same pid) are not in this one
      if (host !== undefined && text.toLowerCase().includes(host.replace(/^::ffff:/, ''))) {
        expect(event.entities.src_host, `line ${line}: ${text}`).toBe(/^[\d.:a-f]+$/.test(host) ? normaliseIp(host) : host);
        counts.hostChecked += 1;
      }
      const classic = /^([A-Z][a-z]{2}) +(\d+) (\d\d:\d\d:\d\d) /.exec(text);
      if (classic && fail.time) {
        const t = new Date(event.time * 1000).toISOString();
        expect(t.slice(5, 19), `line ${line}: ${text}`).toBe(fail.time.slice(5, 19)); // month, day and time; the year is ours
        counts.timeChecked += 1;
      }
    }
    process.stdout.write(`fail2ban sshd: ${JSON.stringify(counts)}\n`);
    // the one line we cannot read has no "program:" tag: `Jun 25 23:53:34 [sshd] User root from 1.2.3.4 ...`
    expect(errors).toEqual([expect.stringContaining(' [sshd] User root from 1.2.3.4 not allowed')]);
    expect(counts.counted).toBeGreaterThanOrEqual(100);
    expect(counts.hostChecked).toBeGreaterThanOrEqual(80);
  });
});
