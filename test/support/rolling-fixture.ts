// Rolling retraining over the ECS fixture's working days (test/support/ecs-fixture.ts), one window per UTC day,
// through the library call `seqsentry train --rolling` makes. ~360 events a day: a few seconds of training each.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenSearchConfig } from '../../src/opensearch/config.js';
import { runRolling } from '../../src/rolling/run.js';
import type { WindowReport } from '../../src/rolling/rolling-train.js';
import { ecsDocs, FIXTURE_START_MS } from './ecs-fixture.js';

export const DAY_SECONDS = 86_400;

/**
 * Trains one bundle per fixture day under root/models; the events file is root/events.ndjson. `onlyDay`: keep only
 * that day's events (a single window, trained from scratch); `screen`: each bundle a cascade (train --screen); none
 * unless asked for, though ECS's default is one (each window would train two models).
 */
export async function rollingEcs(root: string, options: { days?: number; perDay?: number; epochs?: number; registry?: OpenSearchConfig; runId?: string; onlyDay?: number; screen?: number } = {}): Promise<WindowReport[]> {
  const { days = 3, epochs = 2 } = options;
  mkdirSync(root, { recursive: true });
  const input = join(root, 'events.ndjson');
  const day = (d: Record<string, unknown>) => Math.floor((Date.parse(d['@timestamp'] as string) - FIXTURE_START_MS) / (DAY_SECONDS * 1000));
  const docs = ecsDocs({ days, ...(options.perDay !== undefined ? { perDay: options.perDay } : {}) }).filter((d) => options.onlyDay === undefined || day(d) === options.onlyDay);
  writeFileSync(input, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  return runRolling(
    { format: 'ecs', inputs: [input], modelDir: join(root, 'models'), kind: 'transformer-mlm', epochs, seed: 1, context: 4, minCount: 1, hourToken: true, strict: true, screen: options.screen ?? null },
    { window: DAY_SECONDS, ...(options.registry ? { registry: options.registry } : {}), runId: options.runId ?? 'test' },
  );
}
