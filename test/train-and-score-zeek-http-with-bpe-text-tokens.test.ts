// `train --text-tokens bpe --text-field uri` and `score` through the CLI on the Stratosphere http log: the Benign
// requests of day 008 train the default kind with the URI's first 8 byte-pair pieces as fields. A real request and the
// same request for a URI training never saw, which the zeek cleaner reads into exactly the same fields (same length and
// entropy buckets), are scored apart: only the text positions tell them apart, and they do. The bundle keeps its
// tokenizer file; scoring without it is refused with the file's name.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { bpePiecer, BPE_FILE } from '../src/tokenizer/text-bpe.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();
/** A URI that the cleaner buckets like the real one (20 characters, the same entropy half-bit), never in training. */
const INJECTED_URI = '/cgi-bin/test-cgi.sh';

interface ScoreLine { line: number; raw?: number; error?: string; fields?: Array<{ field: string; value: string }> }

describe.runIf(ready)('zeek http with byte-pair text tokens through train and score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-bpe-http-'));
  const model = join(dir, 'model');
  const lines = gunzipSync(readFileSync(shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'http.log.labeled.gz'))).toString('utf8').trimEnd().split('\n');
  const names = (lines.find((l) => l.startsWith('#fields')) as string).split('\t').slice(1);
  const header = lines.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
  const real = lines.find((l) => l.split('\t')[names.indexOf('method')] === 'GET' && l.split('\t')[names.indexOf('uri')] === '/pico/1/139381.pic') as string;
  const injected = real.split('\t').map((v, i) => (i === names.indexOf('uri') ? INJECTED_URI : v)).join('\t');

  const score = (name: string, line: string): ScoreLine => {
    writeFileSync(join(dir, name), [...header, line].join('\n') + '\n');
    const s = runCli(['score', '--model-dir', model, '--input', join(dir, name), '--output', join(dir, `${name}.jsonl`)]);
    expect(s.status, s.stderr).toBe(0);
    return JSON.parse(readFileSync(join(dir, `${name}.jsonl`), 'utf8').trim()) as ScoreLine;
  };

  beforeAll(() => {
    const label = names.indexOf('label');
    const benign = lines.filter((l) => l.startsWith('#') || l.split('\t')[label] === 'Benign');
    writeFileSync(join(dir, 'benign-008.http.log'), benign.join('\n') + '\n');
    const t = runCli(['train', '--format', 'zeek', '--input', join(dir, 'benign-008.http.log'), '--model-dir', model, '--epochs', '2', '--seed', '1', '--text-tokens', 'bpe', '--text-field', 'uri']);
    expect(t.status, t.stderr).toBe(0);
  }, 600_000);

  it('keeps the tokenizer in the bundle and the URI as 8 more fields', () => {
    const bundle = JSON.parse(readFileSync(join(model, 'bundle.json'), 'utf8')) as { text_tokens: Record<string, unknown>; tokenizer: { fields: string[] } };
    expect(bundle.text_tokens).toMatchObject({ mode: 'bpe', fields: ['uri'], max_tokens: 8, file: BPE_FILE });
    expect(bundle.tokenizer.fields.filter((f) => f.startsWith('uri#'))).toEqual(['uri#1', 'uri#2', 'uri#3', 'uri#4', 'uri#5', 'uri#6', 'uri#7', 'uri#8']);
  });

  it('ranks a URI training never saw above the same request for a known one, and names its piece', () => {
    // Without the text the two requests are one event: the cleaner's fields are equal.
    const adapter = createAdapter('zeek', { log_type: 'http' });
    const parse = (line: string) => {
      header.forEach((h, i) => adapter.parse(h, { file: 'x', line: i + 1 }));
      return adapter.parse(line, { file: 'x', line: header.length + 1 }) as CanonicalEvent;
    };
    expect(parse(injected).fields).toEqual(parse(real).fields);

    const known = score('real.log', real);
    const unseen = score('injected.log', injected);
    expect(unseen.raw as number).toBeGreaterThan(known.raw as number);
    const top = (unseen.fields ?? [])[0] as { field: string; value: string };
    expect(top.field).toMatch(/^uri#[1-8]$/);
    const pieces = bpePiecer(readFileSync(join(model, BPE_FILE), 'utf8')).pieces(INJECTED_URI);
    expect(pieces).toContain(top.value);
    process.stdout.write(`bpe http: ${real.split('\t')[names.indexOf('uri')]} raw ${known.raw?.toFixed(3)}, ${INJECTED_URI} raw ${unseen.raw?.toFixed(3)} (top ${top.field} ${JSON.stringify(top.value)}; pieces ${JSON.stringify(pieces)})\n`);
  }, 120_000);

  it('refuses to score without the tokenizer file, naming it', () => {
    const copy = join(dir, 'model-without-tokenizer');
    cpSync(model, copy, { recursive: true });
    rmSync(join(copy, BPE_FILE));
    writeFileSync(join(dir, 'one.log'), [...header, real].join('\n') + '\n');
    const s = runCli(['score', '--model-dir', copy, '--input', join(dir, 'one.log'), '--output', join(dir, 'none.jsonl')]);
    expect(s.status).not.toBe(0);
    expect(s.stderr).toContain(`${BPE_FILE}, cannot be read`);
    expect(s.stderr).toContain('text fields (uri)');
  }, 120_000);
});
