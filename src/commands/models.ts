// `seqsentry models --list`: the model version registry in `.seqsentry-state` (src/rolling/model-versions.ts). Wiring only.
import { UsageError } from '../core/errors.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig } from '../opensearch/config.js';
import { formatVersions, ModelVersionStore } from '../rolling/model-versions.js';
import { parseOptions, type Command } from './command.js';

const USAGE = 'seqsentry models --list [--json] [--opensearch-url URL]';
const SUMMARY = 'Lists the model versions recorded in .seqsentry-state by rolling retraining: training window, event counts, held-out loss, AUC/AP on the next window, created time, path.';
const SPECS = {
  list: { type: 'boolean', default: false, help: 'list every recorded version, oldest window first' },
  json: { type: 'boolean', default: false, help: 'one JSON object per line instead of the table' },
  'opensearch-url': { type: 'string', help: 'URL  OpenSearch (default: OPENSEARCH_URL, else http://127.0.0.1:9200)' },
} as const;

const command: Command = {
  name: 'models',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    if (parsed.positionals.length) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    if (!parsed.values.list) throw new UsageError('give --list');
    const client = createOpenSearchClient(openSearchConfig(parsed.values['opensearch-url']));
    try {
      const versions = await new ModelVersionStore(client, DEFAULT_BACKOFF).list();
      process.stdout.write(parsed.values.json ? versions.map((v) => JSON.stringify(v)).join('\n') + (versions.length ? '\n' : '') : formatVersions(versions));
      return 0;
    } finally {
      await client.close();
    }
  },
};

export default command;
