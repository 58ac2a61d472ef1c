// The model kinds are declared once (models/kinds.json): TypeScript and the Python trainer read the same kinds,
// the exported bundle names its kind's contract, and a bundle whose ONNX names differ from that contract is refused.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../src/model/bundle.js';
import { DEFAULT_KIND, defaultKindFor, MODEL_KINDS } from '../src/model/kinds.js';
import { hasPython, hasSharedData, PYTHON, REPO_ROOT } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

describe.runIf(hasPython())('model kinds declared once', () => {
  it('gives the trainer and the scorer the same kinds, default and contracts', () => {
    const script = 'import json, registry; print(json.dumps({"default": registry.DEFAULT_KIND, "by_format": dict(registry.DEFAULT_KIND_BY_FORMAT), "typescript": list(registry.TYPESCRIPT_KINDS), "kinds": {k: {"classes": [c.__name__, m.__name__], "contract": registry.CONTRACTS[k]} for k, (c, m) in registry.KINDS.items()}}))';
    const r = spawnSync(PYTHON, ['-c', script], { cwd: join(REPO_ROOT, 'models'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { default: string; by_format: Record<string, string>; typescript: string[]; kinds: Record<string, { classes: string[]; contract: unknown }> };
    expect(py.default).toBe(DEFAULT_KIND);
    for (const [format, kind] of Object.entries(py.by_format)) expect(defaultKindFor(format), format).toBe(kind);
    // Python trains and exports the ONNX kinds; it knows the pure TypeScript kinds by name only.
    const kinds = Object.values(MODEL_KINDS);
    expect(Object.keys(py.kinds).sort()).toEqual(kinds.filter((k) => k.onnx).map((k) => k.kind).sort());
    expect(py.typescript.sort()).toEqual(kinds.filter((k) => !k.onnx).map((k) => k.kind).sort());
    for (const [kind, k] of Object.entries(py.kinds)) {
      expect(k.contract, kind).toEqual(MODEL_KINDS[kind]!.contract);
      expect(k.classes.every((c) => c.length > 0)).toBe(true);
    }
    expect(Object.keys(MODEL_KINDS).length).toBeGreaterThanOrEqual(2);
    // The causal transformer reads the context the masked one does, through the same contract, fused by default.
    expect(py.kinds['transformer-lm']!.classes).toEqual(['TransformerLMConfig', 'TransformerLM']);
    expect(MODEL_KINDS['transformer-lm']).toMatchObject({ onnx: true, runtime: 'field-tokens', contextual: true, fusion: 'default',
      defaultContext: MODEL_KINDS['transformer-mlm']!.defaultContext });
  });
});

describe.runIf(hasPython() && hasSharedData())('a bundle against its kind\'s contract', () => {
  it('names the contract\'s inputs and outputs, and is refused when they differ', async () => {
    const dir = await lanlModel();
    const { bundle } = await loadBundle(dir);
    const contract = MODEL_KINDS[bundle.kind]!.contract!;
    expect(bundle.onnx!.inputs).toEqual(contract.inputs.map((t) => t.name));
    expect(bundle.onnx!.outputs).toEqual(contract.outputs.map((t) => t.name));
    const copy = join(mkdtempSync(join(tmpdir(), 'seqsentry-kinds-')), 'model');
    cpSync(dir, copy, { recursive: true });
    const json = JSON.parse(readFileSync(join(copy, 'bundle.json'), 'utf8'));
    json.onnx.outputs = ['scores'];
    writeFileSync(join(copy, 'bundle.json'), JSON.stringify(json));
    await expect(loadBundle(copy)).rejects.toThrow(/not those of kind transformer-mlm's contract \(models\/kinds\.json/);
  }, 600_000);
});
