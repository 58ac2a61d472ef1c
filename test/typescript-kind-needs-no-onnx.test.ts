// A pure TypeScript kind (charfreq) sits in the same registry as the ONNX kinds: declared with "typescript" instead of
// a contract, trained and scored without model.onnx; its bundle is checked against its parameters file the way an
// ONNX bundle is checked against its model, and a declaration that is both or neither is refused.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../src/model/bundle.js';
import { KINDS_FILE, MODEL_KINDS, parseKinds } from '../src/model/kinds.js';
import { Scorer } from '../src/scorer/scorer.js';
import { SAMPLES, trainCharfreqOn } from './support/charfreq-fixture.js';
import { hasSharedData } from './support/env.js';

/** A copy of a bundle directory with bundle.json (or another file) changed. */
function changed(dir: string, edit: (bundle: Record<string, unknown>) => void, file = 'bundle.json'): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'seqsentry-tskind-')), 'model');
  cpSync(dir, copy, { recursive: true });
  if (file === 'bundle.json') {
    const json = JSON.parse(readFileSync(join(copy, file), 'utf8'));
    edit(json);
    writeFileSync(join(copy, file), JSON.stringify(json));
  } else {
    writeFileSync(join(copy, file), readFileSync(join(copy, file), 'utf8').replace('"prior_chars":200', '"prior_chars":201'));
  }
  return copy;
}

describe('a pure TypeScript kind in the kind registry', () => {
  it('is declared with a TypeScript module instead of an ONNX contract', () => {
    expect(MODEL_KINDS.charfreq).toMatchObject({ kind: 'charfreq', onnx: false, contract: null, runtime: 'charfreq', contextual: false, defaultContext: 0 });
    expect(MODEL_KINDS['transformer-mlm']).toMatchObject({ onnx: true, runtime: 'field-tokens' });
  });

  it('refuses a declaration that is both ONNX and TypeScript, or neither, naming the kind', () => {
    const declared = JSON.parse(readFileSync(KINDS_FILE, 'utf8'));
    const both = structuredClone(declared);
    both.kinds.charfreq.contract = 'field-tokens';
    both.kinds.charfreq.python = { module: 'm', model: 'M', config: 'C' };
    expect(() => parseKinds(both)).toThrow(/kind charfreq: declare either "contract" and "python" \(ONNX\) or "typescript", not both or neither/);
    const neither = structuredClone(declared);
    delete neither.kinds.charfreq.typescript;
    expect(() => parseKinds(neither)).toThrow(/kind charfreq: declare either/);
  });

  it.runIf(hasSharedData())('trains and scores without model.onnx; its bundle is checked against its parameters file', async () => {
    const { modelDir } = await trainCharfreqOn(SAMPLES.openssh);
    expect(existsSync(join(modelDir, 'model.onnx'))).toBe(false);
    expect(existsSync(join(modelDir, 'charfreq.json'))).toBe(true);
    const { bundle } = await loadBundle(modelDir);
    expect(bundle).toMatchObject({ kind: 'charfreq', context_length: 0, parameters: { file: 'charfreq.json' } });
    expect(bundle.onnx).toBeUndefined();
    expect(bundle.tokenizer).toBeUndefined();
    const scorer = await Scorer.load(modelDir);
    expect(scorer.modelId.kind).toBe('charfreq');
    expect(scorer.historyLength).toBe(0);
    await scorer.close();

    await expect(loadBundle(changed(modelDir, () => {}, 'charfreq.json'))).rejects.toThrow(/sha256 of charfreq\.json is [0-9a-f]{64}, bundle\.json says/);
    await expect(loadBundle(changed(modelDir, (b) => { b.onnx = { file: 'model.onnx', sha256: '0'.repeat(64), inputs: [], outputs: [] }; }))).rejects.toThrow(/kind charfreq \(pure TypeScript, no ONNX\) has onnx/);
    await expect(loadBundle(changed(modelDir, (b) => { delete b.parameters; }))).rejects.toThrow(/kind charfreq \(pure TypeScript\) has no parameters file/);
    await expect(loadBundle(changed(modelDir, (b) => { b.kind = 'transformer-mlm'; }))).rejects.toThrow(/bundle\.json of ONNX kind transformer-mlm has no tokenizer, onnx, field_weights/);
  }, 120_000);
});
