// Golden parity: the TypeScript and Python tokenizers give identical vocabularies and ids on real LANL data.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { EventsTsvWriter } from '../src/tokenizer/events-tsv.js';
import { Encoder, VocabBuilder } from '../src/tokenizer/vocab.js';
import { hasPython, hasSharedData, PYTHON, REPO_ROOT, shared } from './support/env.js';

const FILES = ['auth_first100_lines_t1.txt', 'safekit-heads/day0_head_decoded.csv', 'safekit-heads/day1_head_decoded.csv'];

describe.runIf(hasSharedData() && hasPython())('tokenizer parity TypeScript ↔ Python', () => {
  for (const [minCount, hourOn] of [[1, true], [2, true], [3, false]] as const) {
    it(`min_count ${minCount}, hour token ${hourOn ? 'on' : 'off'}`, async () => {
      const adapter = createAdapter('lanl');
      const dir = mkdtempSync(join(tmpdir(), 'seqsentry-parity-'));
      const tsv = join(dir, 'events.tsv');
      const writer = new EventsTsvWriter(tsv, adapter.fieldNames, adapter.entityKey);
      const events: CanonicalEvent[] = [];
      // LANL times are relative seconds; shift some so the hour token sees every hour and negative times.
      let i = 0;
      for await (const item of readEvents(FILES.map((f) => shared('lanl', f)), adapter)) {
        if (!item.event) continue;
        const e = { ...item.event, time: item.event.time + (i++ % 97) * 3599 - 40_000 };
        events.push(e);
        await writer.write(e);
      }
      await writer.close();

      const builder = new VocabBuilder(adapter.fieldNames, hourOn, minCount);
      events.forEach((e) => builder.add(e));
      const spec = builder.build();
      const encoder = new Encoder(spec);

      const out = join(dir, 'py.json');
      const args = [join(REPO_ROOT, 'models', 'vocab.py'), '--events', tsv, '--min-count', String(minCount), '--out', out];
      if (!hourOn) args.push('--no-hour-token');
      execFileSync(PYTHON, args, { cwd: join(REPO_ROOT, 'models') });
      const py = JSON.parse(readFileSync(out, 'utf8')) as { vocab: Record<string, string[]>; ids: number[][] };

      expect(Object.keys(py.vocab)).toEqual(spec.fields);
      expect(py.vocab).toEqual(spec.vocab);
      expect(py.ids).toEqual(events.map((e) => encoder.encode(e)));
      expect(py.ids.length).toBe(10_100);
      // The sample must exercise OOV (min_count > 1) and more than one hour.
      if (minCount > 1) expect(py.ids.some((r) => r.includes(1))).toBe(true);
      if (hourOn) expect(new Set(py.ids.map((r) => r.at(-1))).size).toBeGreaterThan(20);
    });
  }
});
