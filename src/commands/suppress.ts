// `seqsentry suppress`: analysts' suppressions of entity notables (src/aggregate/suppressions.ts). Wiring only.
import { ADAPTERS } from '../adapters/registry.js';
import { SuppressionStore, type Suppression } from '../aggregate/suppressions.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig } from '../opensearch/config.js';
import { durationMs } from '../aggregate/duration.js';
import { parseOptions, type Command } from './command.js';

const USAGE = 'seqsentry suppress (--entity KIND:VALUE [--field F [--value V]] [--expires 7d] [--reason TEXT] | --list | --remove ID)';
const SUMMARY =
  'Keeps an entity (or one field value of it) from making notables: kept in .seqsentry-state, applied by seqsentry aggregate ' +
  'until it expires; --list shows them, --remove takes one back.';
const SPECS = {
  entity: { type: 'string', help: 'KIND:VALUE  e.g. user:alice@CORP, dst_host:srv-backup' },
  field: { type: 'string', help: 'F  only windows whose top anomalous events are all explained by this field (e.g. dst_host)' },
  value: { type: 'string', help: 'V  with --field: only that value of it' },
  expires: { type: 'string', help: 'DURATION  from now (7d, 12h); default: never' },
  reason: { type: 'string', help: 'TEXT  why (shown by --list)' },
  list: { type: 'boolean', default: false, help: 'list every suppression (expired ones marked)' },
  remove: { type: 'string', help: 'ID  remove the suppression with this id (from --list)' },
  'opensearch-url': { type: 'string', help: 'URL  OpenSearch (default: OPENSEARCH_URL, else http://127.0.0.1:9200)' },
} as const;

function line(s: Suppression, now: number): string {
  const what = `${s.entity_kind}:${s.entity_value}${s.field ? ` ${s.field}${s.value !== undefined ? `=${s.value}` : ''}` : ''}`;
  const until = s.expires_at ? `${Date.parse(s.expires_at) <= now ? 'expired' : 'until'} ${s.expires_at}` : 'no expiry';
  return `${s.id}  ${what}  ${until}  since ${s.created_at}${s.reason ? `  (${s.reason})` : ''}`;
}

const command: Command = {
  name: 'suppress',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    if (parsed.positionals.length) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    const modes = [v.entity !== undefined, v.list, v.remove !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('give one of --entity KIND:VALUE, --list or --remove ID');
    if (v.value !== undefined && v.field === undefined) throw new UsageError('--value goes with --field');
    const client = createOpenSearchClient(openSearchConfig(v['opensearch-url']));
    const store = new SuppressionStore(client, DEFAULT_BACKOFF);
    const now = Date.now();
    try {
      if (v.list) {
        const all = await store.list();
        process.stdout.write(all.length ? `${all.map((s) => line(s, now)).join('\n')}\n` : 'no suppressions\n');
        return 0;
      }
      if (v.remove !== undefined) {
        if (!(await store.remove(v.remove))) throw new UsageError(`no suppression with id ${v.remove} (see --list)`);
        process.stdout.write(`removed ${v.remove}\n`);
        return 0;
      }
      const entity = v.entity as string;
      const colon = entity.indexOf(':');
      if (colon <= 0 || colon === entity.length - 1) throw new UsageError(`--entity "${entity}": expected KIND:VALUE, e.g. user:alice`);
      // A kind no adapter has (a typo: usr) would be stored and listed as active, and never hold back a window.
      const kinds = entityKinds();
      if (!kinds.includes(entity.slice(0, colon))) throw new UsageError(`--entity "${entity}": no entity kind "${entity.slice(0, colon)}" (known: ${kinds.join(', ')})`);
      const s = await store.add({
        entity_kind: entity.slice(0, colon), entity_value: entity.slice(colon + 1),
        ...(v.field !== undefined ? { field: v.field } : {}), ...(v.value !== undefined ? { value: v.value } : {}),
        ...(v.reason !== undefined ? { reason: v.reason } : {}),
        ...(v.expires !== undefined ? { expires_at: new Date(now + durationMs(v.expires, 'expires')).toISOString() } : {}),
      });
      process.stdout.write(`suppressed ${line(s, now)}\n`);
      return 0;
    } finally {
      await client.close();
    }
  },
};

/** Every entity kind an adapter names (the kinds entity notables are written for). */
function entityKinds(): string[] {
  const kinds = new Set<string>();
  for (const factory of Object.values(ADAPTERS)) for (const k of factory.create().entityNames) kinds.add(k);
  return [...kinds];
}

export default command;
