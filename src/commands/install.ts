// `seqsentry install`: puts templates, the state index, the ML Commons connector and model and the ingest pipeline.
import { UsageError } from '../core/errors.js';
import { DEFAULT_ALERTS_PER_DAY, install } from '../install/installer.js';
import { formatPlan } from '../install/plan.js';
import { parseOptions, type Command } from './command.js';
import { DASHBOARDS_CA_FILE_OPTION, DASHBOARDS_URL_OPTION, dashboardsOption, OPENSEARCH_URL_OPTION, withOpenSearch } from './options.js';

const USAGE = 'seqsentry install [--opensearch-url URL] [--sidecar-url URL] [--token T] [--index-pattern P]... [--remove-index-pattern P]... [--replace-index-patterns] [--model-dir DIR] [--alerts-per-day R] [--events-per-day E] [--monitors-file FILE] [--dashboards-url URL [--dashboards-ca-file FILE] | --dashboards-file FILE] [--dry-run]';
const SUMMARY =
  'Installs the SeqSentry content pack idempotently and prints what it did: create, update, unchanged or skip per item. ' +
  'OpenSearch credentials and TLS come from OPENSEARCH_USERNAME/PASSWORD/API_KEY/CA_FILE.';
const SPECS = {
  'opensearch-url': OPENSEARCH_URL_OPTION,
  'sidecar-url': { type: 'string', help: 'URL  the sidecar as OpenSearch nodes reach it, for the ML Commons connector' },
  token: { type: 'string', help: 'T  sidecar bearer token stored as the connector credential (default $SEQSENTRY_TOKEN)' },
  'index-pattern': { type: 'string', multiple: true, help: 'P  your event indices to map the anomaly fields on (repeatable; added to those installed before)' },
  'remove-index-pattern': { type: 'string', multiple: true, help: 'P  an installed event index pattern to drop (repeatable)' },
  'replace-index-patterns': { type: 'boolean', default: false, help: 'the --index-pattern patterns replace the installed ones instead of adding to them' },
  'model-dir': { type: 'string', help: 'DIR  the bundle whose calibration sizes the monitors\' thresholds' },
  'alerts-per-day': { type: 'string', help: `R  alerts a day each monitor may raise on normal traffic (default ${DEFAULT_ALERTS_PER_DAY})` },
  'events-per-day': { type: 'string', help: 'E  scored events a day (default: measured over the last 7 days in the event index patterns installed, those of --index-pattern included)' },
  'monitors-file': { type: 'string', help: 'FILE  where the filled monitors go when the cluster has no Alerting plugin (default seqsentry-monitors.json)' },
  'dashboards-url': DASHBOARDS_URL_OPTION,
  'dashboards-ca-file': DASHBOARDS_CA_FILE_OPTION,
  'dashboards-file': { type: 'string', help: 'FILE  without --dashboards-url, where the saved objects go (placeholders filled) for import in Dashboards (default seqsentry-dashboards.ndjson)' },
  'dry-run': { type: 'boolean', default: false, help: 'print the plan and change nothing' },
} as const;

function numberOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, got "${text}"`);
  return n;
}

const command: Command = {
  name: 'install',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const { values } = parsed;
    const dashboards = dashboardsOption(values['dashboards-url'], values['dashboards-ca-file']);
    return withOpenSearch(values['opensearch-url'], async (client, config) => {
      const result = await install(client, {
        sidecarUrl: values['sidecar-url'],
        token: values.token ?? process.env.SEQSENTRY_TOKEN,
        indexPatterns: values['index-pattern'] ?? [],
        removeIndexPatterns: values['remove-index-pattern'] ?? [],
        replaceIndexPatterns: values['replace-index-patterns'],
        dryRun: values['dry-run'],
        ...(values['model-dir'] ? { modelDir: values['model-dir'] } : {}),
        alerting: {
          alerts_per_day: numberOption(values['alerts-per-day'], '--alerts-per-day') ?? DEFAULT_ALERTS_PER_DAY,
          ...(values['events-per-day'] ? { events_per_day: numberOption(values['events-per-day'], '--events-per-day') } : {}),
        },
        ...(values['monitors-file'] ? { monitorsFile: values['monitors-file'] } : {}),
        ...(dashboards ? { dashboards } : { dashboardsFile: values['dashboards-file'] ?? 'seqsentry-dashboards.ndjson' }),
      });
      process.stdout.write(`OpenSearch ${result.capabilities.version} at ${config.url}\n${formatPlan(result.items, values['dry-run'])}\n${result.notes.map((n) => `${n}\n`).join('')}`);
      return 0;
    });
  },
};

export default command;
