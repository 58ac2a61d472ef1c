// The zeek-seq kind's tuple tokenizer on real Zeek records: a record's token is its log type, the side that started
// the connection and its telling cleaned fields; a tuple seen fewer than min-count times in training becomes its log
// type's and initiator's rare token; the fitted parameters reopen to the same tokenizer, and a connection becomes one
// event of per-record tokens, the conn record's first.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import { readZeekConnections } from '../src/adapters/zeek-merge.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { connectionEvent, EMPTY_SLOT } from '../src/kinds/zeek-seq/connection-event.js';
import { recordTuple } from '../src/kinds/zeek-seq/record-token.js';
import { RECORD_TOKENIZERS } from '../src/kinds/zeek-seq/record-tokenizers.js';
import { hasSharedData, shared } from './support/env.js';

const conn = shared('zeek', 'stratosphere-labeled', '010-zeek-mixed', 'conn.log.labeled.gz');
const ssl = shared('zeek', 'stratosphere-labeled', '010-zeek-mixed', 'ssl.log.labeled.gz');

async function events(file: string, n: number): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for await (const item of readEvents([file], createAdapter('zeek'))) {
    if (item.event) out.push(item.event);
    if (out.length >= n) break;
  }
  return out;
}

describe.runIf(hasSharedData())('zeek-seq tuple tokenizer', () => {
  it('keeps tuples seen min-count times and backs the others off to log type and initiator', async () => {
    const records = await events(conn, 2000);
    const fit = RECORD_TOKENIZERS.tuple!.fit({ minCount: 3 });
    const counts = new Map<string, number>();
    for (const e of records) {
      fit.add(e);
      counts.set(recordTuple(e), (counts.get(recordTuple(e)) ?? 0) + 1);
    }
    const params = JSON.parse(JSON.stringify(fit.parameters())) as { kept: string[] };
    expect(params.kept.length).toBeGreaterThan(0);
    const tokenizer = RECORD_TOKENIZERS.tuple!.open(params, 'test');
    let rare = 0;
    for (const e of records) {
      const tuple = recordTuple(e);
      const local = (e.raw as Record<string, unknown>).local_orig;
      expect(tuple.startsWith(`conn|${local === 'T' ? 'local' : 'remote'}|`)).toBe(true);
      const token = tokenizer.token(e);
      if ((counts.get(tuple) as number) >= 3) expect(token).toBe(tuple);
      else {
        rare += 1;
        expect(token).toBe(`conn|${local === 'T' ? 'local' : 'remote'}|<rare>`);
      }
    }
    expect(rare).toBeGreaterThan(0);
  });

  it('makes a connection one event of its records\' tokens, the conn record first', async () => {
    const tokenizer = RECORD_TOKENIZERS.tuple!.open({ tokenizer: 'tuple', min_count: 1, kept: [] }, 'test');
    let checked = 0;
    for await (const c of readZeekConnections([conn, ssl], createAdapter('zeek'))) {
      if (!c.conn || c.events.length < 2) continue;
      const event = connectionEvent(c, tokenizer, 4);
      expect(event.fields).toHaveLength(4);
      expect(event.fields[0]).toMatch(/^conn\|(local|remote)\|<rare>$/);
      expect(event.fields[1]).toBe('ssl|?|<rare>');
      expect(event.fields.slice(c.events.length)).toEqual(new Array(4 - c.events.length).fill(EMPTY_SLOT));
      expect(event.entities.uid).toBe(c.uid);
      if (++checked >= 20) break;
    }
    expect(checked).toBe(20);
  });
});
