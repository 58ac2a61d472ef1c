// `seqsentry uninstall`: removes what install recorded in .seqsentry-state, and nothing else.
import { formatUninstall, uninstall } from '../install/uninstaller.js';
import { parseOptions, type Command } from './command.js';
import { deleteSavedObject } from '../install/dashboards-api.js';
import { DASHBOARDS_CA_FILE_OPTION, DASHBOARDS_URL_OPTION, dashboardsOption, OPENSEARCH_URL_OPTION, withOpenSearch } from './options.js';

const USAGE = 'seqsentry uninstall [--opensearch-url URL] [--dashboards-url URL [--dashboards-ca-file FILE]] [--dry-run] [--delete-data]';
const SUMMARY =
  'Removes exactly what `seqsentry install` recorded (templates, ingest pipeline, ML Commons connector and model, monitors, ' +
  'its state documents, with --dashboards-url the Dashboards saved objects) and prints delete, absent or skip per item. Event indices are never touched; seqsentry-entities ' +
  'and .seqsentry-state only with --delete-data.';
const SPECS = {
  'opensearch-url': OPENSEARCH_URL_OPTION,
  'dashboards-url': DASHBOARDS_URL_OPTION,
  'dashboards-ca-file': DASHBOARDS_CA_FILE_OPTION,
  'dry-run': { type: 'boolean', default: false, help: 'print what would be removed and change nothing' },
  'delete-data': { type: 'boolean', default: false, help: 'also delete seqsentry-entities and .seqsentry-state (notables, checkpoints, suppressions)' },
} as const;

const command: Command = {
  name: 'uninstall',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const { values } = parsed;
    const dryRun = values['dry-run'];
    const dashboards = dashboardsOption(values['dashboards-url'], values['dashboards-ca-file']);
    return withOpenSearch(values['opensearch-url'], async (client, config) => {
      const items = await uninstall(client, {
        dryRun,
        deleteData: values['delete-data'],
        ...(dashboards ? { dashboards: (type, id, dry) => deleteSavedObject(dashboards, type, id, dry) } : {}),
      });
      process.stdout.write(`OpenSearch at ${config.url}\n${formatUninstall(items, dryRun)}\n`);
      return 0;
    });
  },
};

export default command;
