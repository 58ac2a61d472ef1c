// `train --text-tokens bpe --text-field uri` and `score` through the CLI on the Stratosphere http log: the Benign
// requests of day 008 train the default kind with the URI's first 8 byte-pair pieces as fields. A real request and the
// same request for a URI training never saw, which the zeek cleaner reads into exactly the same fields (same length and
// entropy buckets), are scored apart: only the text positions tell them apart, and they do. The bundle keeps its
// tokenizer file; scoring without it is refused with the file's name.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { bpePiecer, BPE_FILE } from '../src/tokenizer/text-bpe.js';
import { bpeHttpFixture, INJECTED_URI, REAL_URI, type BpeHttpFixture } from './support/bpe-http-fixture.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();

interface ScoreLine { line: number; raw?: number; error?: string; fields?: Array<{ field: string; value: string }> }

describe.runIf(ready)('zeek http with byte-pair text tokens through train and score', () => {
  let f: BpeHttpFixture;

  const score = (name: string, line: string): ScoreLine => {
    writeFileSync(join(f.dir, name), [...f.header, line].join('\n') + '\n');
    const s = runCli(['score', '--model-dir', f.model, '--input', join(f.dir, name), '--output', join(f.dir, `${name}.jsonl`)]);
    expect(s.status, s.stderr).toBe(0);
    return JSON.parse(readFileSync(join(f.dir, `${name}.jsonl`), 'utf8').trim()) as ScoreLine;
  };

  beforeAll(() => {
    f = bpeHttpFixture(true);
  }, 600_000);

  it('keeps the tokenizer in the bundle and the URI as 8 more fields', () => {
    const bundle = JSON.parse(readFileSync(join(f.model, 'bundle.json'), 'utf8')) as { text_tokens: Record<string, unknown>; tokenizer: { fields: string[] } };
    expect(bundle.text_tokens).toMatchObject({ mode: 'bpe', fields: ['uri'], max_tokens: 8, file: BPE_FILE });
    expect(bundle.tokenizer.fields.filter((f) => f.startsWith('uri#'))).toEqual(['uri#1', 'uri#2', 'uri#3', 'uri#4', 'uri#5', 'uri#6', 'uri#7', 'uri#8']);
  });

  it('ranks a URI training never saw above the same request for a known one, and names its piece', () => {
    // Without the text the two requests are one event: the cleaner's fields are equal.
    const adapter = createAdapter('zeek', { log_type: 'http' });
    const parse = (line: string) => {
      f.header.forEach((h, i) => adapter.parse(h, { file: 'x', line: i + 1 }));
      return adapter.parse(line, { file: 'x', line: f.header.length + 1 }) as CanonicalEvent;
    };
    expect(parse(f.injected).fields).toEqual(parse(f.real).fields);

    const known = score('real.log', f.real);
    const unseen = score('injected.log', f.injected);
    expect(unseen.raw as number).toBeGreaterThan(known.raw as number);
    const top = (unseen.fields ?? [])[0] as { field: string; value: string };
    expect(top.field).toMatch(/^uri#[1-8]$/);
    const pieces = bpePiecer(readFileSync(join(f.model, BPE_FILE), 'utf8')).pieces(INJECTED_URI);
    expect(pieces).toContain(top.value);
    process.stdout.write(`bpe http: ${REAL_URI} raw ${known.raw?.toFixed(3)}, ${INJECTED_URI} raw ${unseen.raw?.toFixed(3)} (top ${top.field} ${JSON.stringify(top.value)}; pieces ${JSON.stringify(pieces)})\n`);
  }, 120_000);

  it('refuses to score without the tokenizer file, naming it', () => {
    const copy = join(f.dir, 'model-without-tokenizer');
    cpSync(f.model, copy, { recursive: true });
    rmSync(join(copy, BPE_FILE));
    writeFileSync(join(f.dir, 'one.log'), [...f.header, f.real].join('\n') + '\n');
    const s = runCli(['score', '--model-dir', copy, '--input', join(f.dir, 'one.log'), '--output', join(f.dir, 'none.jsonl')]);
    expect(s.status).not.toBe(0);
    expect(s.stderr).toContain(`${BPE_FILE}, cannot be read`);
    expect(s.stderr).toContain('text fields (uri)');
  }, 120_000);
});
