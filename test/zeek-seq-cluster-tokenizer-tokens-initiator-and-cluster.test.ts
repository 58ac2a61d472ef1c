// The zeek-seq kind's `cluster` record tokenizer: fitted on real Stratosphere records (a seeded sample clustered in
// Python), it gives every record `<initiator>|<log type>:c<k>` or `:noise`, and the saved parameters reopen into a
// tokenizer giving the same token to every record.
import { describe, expect, it } from 'vitest';
import { readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { RECORD_TOKENIZERS } from '../src/kinds/zeek-seq/record-tokenizers.js';
import { hasSharedData, shared } from './support/env.js';

const day = (name: string) => shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', name);

async function records(files: string[]): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for await (const item of readEvents(files, createAdapter('zeek'))) if (item.event) out.push(item.event);
  return out;
}

describe.runIf(hasSharedData())('zeek-seq cluster record tokenizer', () => {
  it('tokens are the initiator and the nearest cluster, and the saved vocabulary gives the same tokens', async () => {
    const events = await records([day('conn.log.labeled.gz'), day('ssl.log.labeled.gz')]);
    expect(events.length).toBeGreaterThan(5000);
    const entry = RECORD_TOKENIZERS.cluster!;
    const fit = entry.fit({ minCount: 2 });
    for (const e of events) fit.add(e);
    const parameters = JSON.parse(JSON.stringify(await fit.parameters())) as unknown;
    const tokenizer = entry.open(parameters, 'record-tokenizer.json');
    expect(tokenizer.name).toBe('cluster');
    const tokens = events.map((e) => tokenizer.token(e));
    for (const t of tokens) expect(t).toMatch(/^(local|remote|\?)\|(conn|ssl):(c\d+|noise)$/);
    // most records fall in a cluster: the vocabulary was fitted on a sample of these very records
    const clustered = tokens.filter((t) => !t.endsWith(':noise')).length / tokens.length;
    expect(clustered).toBeGreaterThan(0.5);
    expect(new Set(tokens).size).toBeGreaterThan(10);
    const again = entry.open(JSON.parse(JSON.stringify(parameters)) as unknown, 'record-tokenizer.json');
    expect(events.map((e) => again.token(e))).toEqual(tokens);
  }, 300_000);

  it('refuses parameters that are not a vocabulary, naming the file', () => {
    expect(() => RECORD_TOKENIZERS.cluster!.open({ tokenizer: 'tuple', kept: [] }, 'model/record-tokenizer.json')).toThrow(/record-tokenizer\.json/);
  });
});
