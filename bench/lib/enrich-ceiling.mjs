#!/usr/bin/env node
// The ceiling of bench/enrich.mjs: enrich's own walk (PIT pages, write-back bulks, checkpoints: src/enrich's Enricher)
// over stored events with the scorer replaced by one fixed set of anomaly fields, so that what is left is what
// reading and rewriting the documents costs, OpenSearch's side above all. A child process, as the real run is, so
// its CPU is counted apart from the bench's.
// Usage: node bench/lib/enrich-ceiling.mjs --index NAME --since ISO --job NAME --fields FILE [--page-size 5000] [--write-back index|update]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { dist } from './ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    index: { type: 'string' },
    since: { type: 'string' },
    job: { type: 'string' },
    fields: { type: 'string' },
    'page-size': { type: 'string', default: '5000' },
    'write-back': { type: 'string' },
  },
});
for (const k of ['index', 'since', 'job', 'fields']) if (!values[k]) throw new Error(`enrich-ceiling: --${k} is required`);

const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { Enricher, DEFAULT_WRITE_BACK } = await import(new URL('enrich/enricher.js', dist));
const { DEFAULT_BACKOFF } = await import(new URL('enrich/retry.js', dist));
const { createOpenSearchClient } = await import(new URL('opensearch/client.js', dist));
const { openSearchConfig } = await import(new URL('opensearch/config.js', dist));
const { ModelSwitch } = await import(new URL('service/model-switch.js', dist));

/** The anomaly fields every event gets: those the real run wrote on one of its events (bench/enrich.mjs picks it). */
const fields = JSON.parse(await readFile(values.fields, 'utf8'));
// What the Enricher asks of a ScoringService: the adapter (its time field), the entity key (slices), score().
const fixed = {
  adapter: createAdapter('ecs'),
  scorer: { bundle: { entity_key: 'user' }, modelId: { name: 'ceiling', version: '0' }, close: async () => undefined },
  score: async (requests) => requests.map(() => fields),
  drain: async () => undefined,
  stopHolding: () => undefined,
};
const models = new ModelSwitch();
models.switchTo(fixed);

const client = createOpenSearchClient(openSearchConfig(process.env.OPENSEARCH_URL));
const started = process.hrtime.bigint();
const enricher = new Enricher(client, models, {
  pattern: values.index, since: values.since, job: values.job, sliceMax: 1, sliceIds: [0], follow: false,
  pageSize: Number(values['page-size']), keepAlive: '5m', pollMs: 5000, backoff: DEFAULT_BACKOFF, writeBack: values['write-back'] ?? DEFAULT_WRITE_BACK,
});
const stats = await enricher.run(new AbortController().signal);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await client.close();
process.stdout.write(`${JSON.stringify({ written: stats.scored + stats.unreadable, failed: stats.failed, seconds })}\n`);
