// The WRCCDC capture is shipped twice, as Zeek TSV and as Zeek JSON (ISO times, typed values, `_path`): the adapter
// must give the same events from both, record for record, for every log type it reads.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { ZEEK_LOG_TYPES } from '../src/adapters/zeek.js';
import { hasSharedData, shared } from './support/env.js';

async function events(file: string): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  // strict: an unreadable record throws, so every item is an event
  for await (const item of readEvents([file], createAdapter('zeek'), undefined, true)) if (item.event) out.push(item.event);
  return out;
}

describe.runIf(hasSharedData())('zeek TSV and JSON of the same capture', () => {
  const types = ZEEK_LOG_TYPES.filter((t) => existsSync(shared('zeek', 'zeek-default', `${t}.log.gz`)));

  it('covers most of the log types read', () => {
    expect(types.length).toBeGreaterThanOrEqual(10);
  });

  it.each(types)('%s: same time, entities and fields per record', async (type) => {
    const tsv = await events(shared('zeek', 'zeek-default', `${type}.log.gz`));
    const json = await events(shared('zeek', 'zeek-json', `${type}.json.gz`));
    expect(json.length).toBe(tsv.length);
    expect(tsv.length).toBeGreaterThan(0);
    tsv.forEach((t, i) => {
      const j = json[i] as CanonicalEvent;
      // TSV keeps microseconds as written; the ISO text of the JSON too: equal to the microsecond
      expect(Math.abs(j.time - t.time), `${type} record ${i + 1}`).toBeLessThan(1e-6);
      expect(j.entities, `${type} record ${i + 1}`).toEqual(t.entities);
      expect(j.fields, `${type} record ${i + 1}`).toEqual(t.fields);
    });
  }, 120_000);
});
