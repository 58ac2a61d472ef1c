// enrich --follow switches to a changed bundle between pages without a restart: events scored before bundle.json
// changed name the old version, events indexed after it name the new one, none is left unscored, and a bundle that
// fails to load is passed over with the old one scoring on.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { Enricher, type EnrichStats } from '../src/enrich/enricher.js';
import { createEnrichScoring, type EnrichScoring } from '../src/enrich/scoring.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { bundleVersion, copyBundle, rewriteBundle } from './support/bundle-versions.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, loadIndex, os } from './support/enrich-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const url = inject('opensearchUrl');
const INDEX = `seqsentry-enrich-pickup-${process.pid}`;
const JOB = `test-pickup-${process.pid}`;
const DAY = 86_400_000;
let bundle: ReturnType<typeof copyBundle>;
let client: OpenSearchClient;
let scoring: EnrichScoring;

beforeAll(async () => {
  if (!url) return;
  bundle = copyBundle(await ecsModel());
  client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  await dropCheckpoints(url, JOB);
});
afterAll(async () => {
  if (!url) return;
  await os(url, 'DELETE', `/${INDEX}`);
  await dropCheckpoints(url, JOB);
  await client?.close();
  bundle?.remove();
});
beforeEach((ctx) => void requireOpenSearch(ctx));

async function until(what: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Bulk-adds docs with ids `<prefix><n>` to the existing index. */
async function addDocs(docs: Array<Record<string, unknown>>, prefix: string): Promise<void> {
  const body = docs.flatMap((d, i) => [JSON.stringify({ index: { _index: INDEX, _id: `${prefix}${i}` } }), JSON.stringify(d)]).join('\n') + '\n';
  const res = await os(url, 'POST', '/_bulk?refresh=true', body);
  expect(res.json.errors).toBe(false);
}

const versionsOf = async (prefix: string) => [...(await allDocs(url, INDEX))].filter(([id]) => id.startsWith(prefix)).map(([, d]) => d.source.anomaly?.model?.version as string | undefined);

describe('enrich --follow and a new bundle', () => {
  it('scores events indexed after the change with the new version, passing over a broken bundle', async () => {
    const v1 = bundleVersion(bundle.dir);
    const first = ecsDocs({ seed: 5, users: 10, days: 2, startMs: FIXTURE_START_MS + 20 * DAY });
    const second = ecsDocs({ seed: 6, users: 10, days: 2, startMs: FIXTURE_START_MS + 22 * DAY });
    const third = ecsDocs({ seed: 7, users: 10, days: 2, startMs: FIXTURE_START_MS + 24 * DAY });
    await loadIndex(url, INDEX, first, 'a');
    scoring = await createEnrichScoring(client, bundle.dir, 256);
    const controller = new AbortController();
    const run: Promise<EnrichStats> = new Enricher(client, scoring.models, {
      pattern: INDEX, since: '2026-01-01T00:00:00Z', job: JOB, sliceMax: 1, sliceIds: [0], follow: true, pageSize: 100, keepAlive: '1m',
      pollMs: 200, backoff: { baseMs: 50, capMs: 1000, attempts: 5 }, beforePage: () => scoring.pickUp(),
    }).run(controller.signal);
    try {
      await until(async () => (await versionsOf('a')).every((v) => v !== undefined));
      expect(new Set(await versionsOf('a'))).toEqual(new Set([v1]));

      // A manifest cut short: refused, the old bundle goes on scoring.
      const manifest = join(bundle.dir, 'bundle.json');
      const good = readFileSync(manifest, 'utf8');
      writeFileSync(manifest, good.slice(0, 40));
      await addDocs(second, 'b');
      await until(async () => (await versionsOf('b')).every((v) => v !== undefined));
      expect(new Set(await versionsOf('b'))).toEqual(new Set([v1]));

      writeFileSync(manifest, good);
      rewriteBundle(bundle.dir, { version: `${v1}-next` });
      await addDocs(third, 'c');
      await until(async () => (await versionsOf('c')).every((v) => v !== undefined));
      expect(new Set(await versionsOf('c'))).toEqual(new Set([`${v1}-next`]));
    } finally {
      controller.abort();
      const stats = await run;
      await scoring.close();
      expect(stats.failed).toBe(0);
      expect(stats.scored).toBe(first.length + second.length + third.length);
    }
  });
});
