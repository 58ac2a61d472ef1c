// Each model kind, trained briefly on real LANL lines, exports an ONNX file whose outputs match PyTorch's and a
// bundle.json with every contract key (docs/contracts.md) and the model file's sha256.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_SCHEMA_VERSION } from '../src/model/bundle.js';
import { hasPython, hasSharedData, PYTHON, REPO_ROOT, shared } from './support/env.js';

const LANL_FIELDS = ['src_user', 'dst_user', 'src_host', 'dst_host', 'auth_type', 'logon_type', 'auth_orientation', 'success'];
const BUNDLE_KEYS = ['schema_version', 'kind', 'name', 'version', 'created_at', 'format', 'adapter_options', 'entity_key',
  'context_length', 'tokenizer', 'onnx', 'field_weights', 'calibration', 'threshold', 'training', 'metrics'];
const TRAINING_KEYS = ['events', 'train_events', 'val_events', 'epochs_run', 'best_epoch', 'best_val_loss', 'seed', 'seconds',
  'config', 'data_sha256'];

/** LANL auth CSV with header (time,src_user@domain,...,success,red) -> events TSV, entity = src_user. */
function lanlToEventsTsv(csv: string): string {
  const lines = csv.split('\n').slice(1).filter((l) => l.length > 0);
  const rows = lines.map((l) => {
    const c = l.split(',');
    return [c[1], c[0], ...c.slice(1, 9)].join('\t');
  });
  return [['entity', 'time', ...LANL_FIELDS].join('\t'), ...rows].join('\n') + '\n';
}

function runPython(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe.runIf(hasSharedData() && hasPython())('exported ONNX matches PyTorch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-onnx-'));
  const events = join(dir, 'events.tsv');
  const csv = readFileSync(shared('lanl', 'safekit-heads', 'day0_head_decoded.csv'), 'utf8');
  const nEvents = csv.split('\n').slice(1).filter((l) => l.length > 0).length;

  beforeAll(() => {
    writeFileSync(events, lanlToEventsTsv(csv));
  });

  for (const [kind, context] of [['transformer-mlm', 8], ['lstm-lm', 0], ['transformer-lm', 8]] as const) {
    it(`${kind}: onnxruntime and PyTorch agree; bundle.json follows the contract`, () => {
      const out = join(dir, kind);
      const train = runPython(['models/train.py', '--events', events, '--kind', kind, '--out', out, '--epochs', '2',
        '--seed', '1', '--context', String(context)]);
      expect(train.status, train.stderr).toBe(0);
      const progress = jsonLines(train.stdout);
      expect(progress.filter((m) => m.type === 'epoch').length).toBeGreaterThanOrEqual(1);
      expect(progress.some((m) => m.type === 'step')).toBe(true);
      expect(progress.at(-1)).toEqual({ type: 'done', bundle: join(out, 'bundle.json') });

      const check = runPython(['models/check_export.py', '--model-dir', out, '--events', events, '--batch', '256']);
      const report = jsonLines(check.stdout).find((m) => m.type === 'check');
      expect(report, check.stderr).toBeDefined();
      expect(report!.max_abs_diff as number).toBeLessThan(1e-4);
      expect(report!.expected_mismatches).toBe(0);
      expect(report!.ok).toBe(true);
      expect(check.status).toBe(0);

      const bundle = JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8'));
      expect(Object.keys(bundle)).toEqual(expect.arrayContaining(BUNDLE_KEYS));
      expect(Object.keys(bundle.training)).toEqual(expect.arrayContaining(TRAINING_KEYS));
      expect(bundle.kind).toBe(kind);
      expect(bundle.context_length).toBe(context);
      expect(bundle.schema_version).toBe(BUNDLE_SCHEMA_VERSION);
      expect(bundle.threshold).toBe(0.999);
      // One weight per model field: 1 / (held-out mean surprisal + 0.01 nats), so in (0, 100].
      expect(bundle.field_weights).toHaveLength(LANL_FIELDS.length + 1);
      const fieldMean = bundle.metrics.val_field_mean_surprisal as Record<string, number>;
      bundle.tokenizer.fields.forEach((f: string, i: number) => expect(bundle.field_weights[i]).toBeCloseTo(1 / (fieldMean[f]! + 0.01), 6));
      expect(bundle.tokenizer.fields).toEqual([...LANL_FIELDS, 'hour']);
      expect(bundle.training.events).toBe(nEvents);
      expect(bundle.training.data_sha256).toBe(createHash('sha256').update(readFileSync(events)).digest('hex'));
      expect(bundle.onnx).toMatchObject({ file: 'model.onnx', inputs: ['tokens'], outputs: ['surprisal', 'expected'], opset: 17 });
      expect(bundle.onnx.sha256).toBe(createHash('sha256').update(readFileSync(join(out, 'model.onnx'))).digest('hex'));

      const { levels, values, n } = bundle.calibration as { levels: number[]; values: number[]; n: number };
      expect(n).toBe(bundle.training.val_events);
      expect(levels.length).toBe(values.length);
      expect(levels.length).toBeLessThanOrEqual(2000);
      expect(levels[0]).toBe(0);
      expect(levels.at(-1)).toBeCloseTo((n - 1) / n, 12);
      for (let i = 1; i < levels.length; i++) {
        expect(levels[i]!).toBeGreaterThan(levels[i - 1]!);
        expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
      }
      expect(bundle.calibration.tail_scale).toBeGreaterThan(0);
    }, 100_000);
  }
});
