// A small ECS model trained through the real `seqsentry train` path, cached in the temp dir by a hash of its inputs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '../../src/commands/train.js';
import { ecsDocs, writeNdjson, type EcsFixtureOptions } from './ecs-fixture.js';
import { REPO_ROOT } from './env.js';

export interface ModelFixtureOptions extends EcsFixtureOptions {
  kind?: 'transformer-mlm' | 'lstm-lm';
  epochs?: number;
  context?: number;
}

/** Everything that changes the model: the data, the training arguments and the trainer's own code. */
function cacheKey(data: string, args: unknown): string {
  const h = createHash('sha256').update(data).update(JSON.stringify(args));
  const models = join(REPO_ROOT, 'models');
  for (const f of readdirSync(models).filter((n) => n.endsWith('.py')).sort()) h.update(f).update(readFileSync(join(models, f)));
  for (const f of ['src/adapters/ecs.ts', 'src/commands/train.ts', 'src/tokenizer/events-tsv.ts']) h.update(readFileSync(join(REPO_ROOT, f)));
  return h.digest('hex').slice(0, 16);
}

/**
 * Returns the directory of a trained ECS bundle (bundle.json + model.onnx). Trains on first use; later calls and
 * later test files reuse it. Concurrent workers may both train; the first rename wins and the other is dropped.
 */
export async function ecsModel(options: ModelFixtureOptions = {}): Promise<string> {
  const { kind = 'transformer-mlm', epochs = 8, context = 4, ...data } = options;
  const docs = ecsDocs(data);
  const text = docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
  const args = { kind, epochs, context, seed: 1, minCount: 1 };
  const root = join(tmpdir(), 'seqsentry-test-models');
  const dir = join(root, `ecs-${kind}-${cacheKey(text, args)}`);
  if (existsSync(join(dir, 'bundle.json'))) return dir;
  mkdirSync(root, { recursive: true });
  const work = join(root, `.work-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  try {
    const input = join(work, 'events.ndjson');
    writeFileSync(input, text);
    const modelDir = join(work, 'model');
    await train({
      format: 'ecs', inputs: [input], modelDir, kind, epochs, seed: args.seed, context: kind === 'lstm-lm' ? undefined : context,
      minCount: args.minCount, hourToken: true, strict: true,
    });
    rmSync(input);
    try {
      renameSync(modelDir, dir);
    } catch (err) {
      if (!existsSync(join(dir, 'bundle.json'))) throw err; // another worker finished first: use theirs
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

export { ecsDocs, writeNdjson };
