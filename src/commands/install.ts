// `seqsentry install`: puts templates, the state index, the ML Commons connector and model and the ingest pipeline.
import { ConfigError } from '../core/errors.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import { OpenSearchConfigSchema, openSearchEnv } from '../opensearch/config.js';
import { install } from '../install/installer.js';
import { formatPlan } from '../install/plan.js';
import { parseOptions, type Command } from './command.js';

const USAGE = 'seqsentry install [--opensearch-url URL] [--sidecar-url URL] [--token T] [--index-pattern P]... [--dry-run]';
const SUMMARY =
  'Installs the SeqSentry content pack idempotently and prints what it did: create, update, unchanged or skip per item. ' +
  'OpenSearch credentials and TLS come from OPENSEARCH_USERNAME/PASSWORD/API_KEY/CA_FILE.';
const SPECS = {
  'opensearch-url': { type: 'string', help: 'URL  OpenSearch (default $OPENSEARCH_URL or http://127.0.0.1:9200)' },
  'sidecar-url': { type: 'string', help: 'URL  the sidecar as OpenSearch nodes reach it, for the ML Commons connector' },
  token: { type: 'string', help: 'T  sidecar bearer token stored as the connector credential (default $SEQSENTRY_TOKEN)' },
  'index-pattern': { type: 'string', multiple: true, help: 'P  your event indices to map the anomaly fields on (repeatable)' },
  'dry-run': { type: 'boolean', default: false, help: 'print the plan and change nothing' },
} as const;

const command: Command = {
  name: 'install',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const { values } = parsed;
    const raw = { ...openSearchEnv(), ...(values['opensearch-url'] ? { url: values['opensearch-url'] } : {}) };
    const config = OpenSearchConfigSchema.safeParse(raw);
    if (!config.success) {
      const issue = config.error.issues[0];
      throw new ConfigError(`opensearch.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
    }
    const client = createOpenSearchClient(config.data);
    try {
      const result = await install(client, {
        sidecarUrl: values['sidecar-url'],
        token: values.token ?? process.env.SEQSENTRY_TOKEN,
        indexPatterns: values['index-pattern'] ?? [],
        dryRun: values['dry-run'],
      });
      process.stdout.write(`OpenSearch ${result.capabilities.version} at ${config.data.url}\n${formatPlan(result.items, values['dry-run'])}\n`);
      return 0;
    } finally {
      await client.close();
    }
  },
};

export default command;
