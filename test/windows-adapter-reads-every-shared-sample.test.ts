// Every record of every Windows sample in ../shared/data/windows yields an event, a skip with its reason, or a
// located error, and nothing else: the counts add up per file, and the events are exactly the authentication
// events (by an independent reading of each record's event id and provider).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReadStats, readRecords } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

const AUTH_IDS = new Set(['4624', '4625', '4634', '4647', '4648', '4672', '4740', '4768', '4769', '4771', '4776']);

function jsonlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? jsonlFiles(join(dir, d.name)) : d.name.endsWith('.jsonl') ? [join(dir, d.name)] : [])).sort();
}

/** Whether a record is a Security-log authentication event, read without the adapter. */
function isAuthentication(record: Record<string, unknown>): boolean {
  const id = String(record.EventID);
  const provider = String(record.Provider ?? record.SourceName ?? 'Microsoft-Windows-Security-Auditing');
  return AUTH_IDS.has(id) && provider === 'Microsoft-Windows-Security-Auditing';
}

describe.runIf(hasSharedData())('windows adapter on every shared Windows sample', () => {
  it('accounts for every record of every file', async () => {
    const root = shared('windows');
    const files = jsonlFiles(root);
    expect(files.length).toBe(58); // two of them empty
    const adapter = createAdapter('windows');
    const table: string[] = [];
    const total = newReadStats();
    for (const file of files) {
      const stats = newReadStats();
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const expected = lines.map((l) => isAuthentication(JSON.parse(l) as Record<string, unknown>));
      const got: boolean[] = [];
      for await (const item of readRecords([file], adapter, stats)) {
        if (item.skipped !== undefined) expect(item.skipped).toMatch(/^not an authentication event: (Security|[\w /.-]+) event \d+$/);
        got.push(item.event !== undefined);
      }
      expect(stats.records, file).toBe(lines.length);
      expect(stats.events + stats.skipped + stats.errors, file).toBe(stats.records);
      expect(stats.errors, `${file}: ${stats.firstErrors.map((e) => e.message).join('; ')}`).toBe(0);
      expect(got, file).toEqual(expected);
      for (const k of ['records', 'events', 'skipped', 'errors'] as const) total[k] += stats[k];
      table.push(`${String(stats.records).padStart(5)} records ${String(stats.events).padStart(5)} events ${String(stats.skipped).padStart(4)} skipped ${stats.errors} errors  ${relative(root, file)}`);
    }
    process.stdout.write(`windows samples:\n${table.join('\n')}\n`);
    expect(total).toMatchObject({ records: 4283, events: 3206, skipped: 1077, errors: 0 });
  });

  it('reads the 2,956 OTRF events: only 4770, 4778 and 4779 are skipped', async () => {
    const stats = newReadStats();
    for await (const _ of readRecords([shared('windows', 'otrf-security-auth.jsonl')], createAdapter('windows'), stats));
    expect(stats).toMatchObject({ records: 2956, events: 2940, skipped: 16, errors: 0 });
    expect(stats.skipReasons).toEqual({
      'not an authentication event: Security event 4770': 12,
      'not an authentication event: Security event 4778': 2,
      'not an authentication event: Security event 4779': 2,
    });
  });
});
