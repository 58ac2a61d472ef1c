// Options shared by commands: those reading log files through an adapter, and those talking to OpenSearch.
import { ADAPTERS } from '../adapters/registry.js';
import { UsageError } from '../core/errors.js';
import { createOpenSearchClient, type OpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig, type OpenSearchConfig } from '../opensearch/config.js';
import type { DashboardsTarget } from '../install/dashboards-api.js';
import { readPemFile } from '../util/pem.js';
import { splitUrlCredentials } from '../util/url-credentials.js';
import { intOption, type OptionSpecs } from './command.js';

/** `--adapter-options`, shared by every command that reads logs through an adapter. */
export const ADAPTER_OPTIONS_OPTION = {
  type: 'string',
  help: 'JSON  adapter options, e.g. an ECS field map {"fields":{"user":["user.id"]}} or the year of year-less syslog times {"year":2024}',
} as const;

export const INPUT_OPTIONS = {
  format: { type: 'string', help: `FORMAT  input format: ${Object.keys(ADAPTERS).join(' | ')}` },
  input: { type: 'string', multiple: true, short: 'i', help: 'FILE  input log file (repeatable; .gz allowed)' },
  'adapter-options': ADAPTER_OPTIONS_OPTION,
  strict: { type: 'boolean', default: false, help: 'stop at the first unreadable record instead of counting it' },
} as const satisfies OptionSpecs;

export function parseJsonOption(value: string | undefined, name: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}

/**
 * `--onnx-threads`, for the commands that run the model in their own process (score, enrich), as serve's
 * `batching.onnx_threads`: intra-op threads of a call through the ONNX worker. Calls of 16 events or fewer run on the
 * event loop's session, on one thread, whatever this says (src/model/onnx.ts).
 */
export const ONNX_THREADS_OPTION = {
  type: 'string',
  default: '0',
  help: 'N  threads of one large ONNX call (0: ONNX Runtime\'s choice, one per core); next to OpenSearch on a small box, 1 leaves it more CPU',
} as const;

/** --onnx-threads N: undefined for 0 (ONNX Runtime's choice), else the count (at most 256, as serve's). */
export function onnxThreadsOption(value: string | undefined): number | undefined {
  const n = intOption(value, 'onnx-threads', 0);
  if (n < 0 || n > 256) throw new UsageError(`--onnx-threads must be 0 (ONNX Runtime's choice) to 256, got ${n}`);
  return n === 0 ? undefined : n;
}

/** `--opensearch-url`, as every command that talks to OpenSearch takes it. */
export const OPENSEARCH_URL_OPTION = { type: 'string', help: 'URL  OpenSearch (default $OPENSEARCH_URL or http://127.0.0.1:9200)' } as const;

/** Runs `fn` with a client for `--opensearch-url` (or the environment's), closed afterwards. */
export async function withOpenSearch<T>(url: string | undefined, fn: (client: OpenSearchClient, config: OpenSearchConfig) => Promise<T>): Promise<T> {
  const config = openSearchConfig(url);
  const client = createOpenSearchClient(config);
  try {
    return await fn(client, config);
  } finally {
    await client.close();
  }
}

/** `--dashboards-url`, for install and uninstall. */
export const DASHBOARDS_URL_OPTION = { type: 'string', help: 'URL  OpenSearch Dashboards, for the saved objects (its login: OPENSEARCH_USERNAME/PASSWORD)' } as const;

/** `--dashboards-url` and `--dashboards-ca-file` as given: the target, or undefined without a URL (a CA file alone is refused). */
export function dashboardsOption(url: string | undefined, caFile: string | undefined, env: NodeJS.ProcessEnv = process.env): DashboardsTarget | undefined {
  if (url === undefined) {
    if (caFile !== undefined) throw new UsageError('--dashboards-ca-file needs --dashboards-url');
    return undefined;
  }
  return dashboardsTarget(url, env, caFile);
}

/** `--dashboards-ca-file`, for install and uninstall. */
export const DASHBOARDS_CA_FILE_OPTION = { type: 'string', help: 'FILE  a private CA (PEM) that signed Dashboards\' certificate, trusted beside Node\'s own (default $OPENSEARCH_CA_FILE)' } as const;

/**
 * Dashboards at `url`, logged in as the OpenSearch user of the environment (or the URL's own `user:password@`) when
 * there is one. A login is sent in clear over `http:` only to this machine: elsewhere it is refused, use `https:`.
 * Over https its certificate is checked against Node's CAs and `caFile` (else OPENSEARCH_CA_FILE: one private CA
 * often signs both), read now, so a file that holds no certificate is named before anything is installed.
 */
export function dashboardsTarget(url: string, env: NodeJS.ProcessEnv = process.env, caFile?: string): DashboardsTarget {
  const split = splitUrlCredentials(url);
  if (!split) throw new UsageError(`--dashboards-url ${JSON.stringify(url)} is not a URL`);
  const login = split.login ?? (env.OPENSEARCH_USERNAME ? { username: env.OPENSEARCH_USERNAME, password: env.OPENSEARCH_PASSWORD ?? '' } : undefined);
  const parsed = new URL(split.url);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (login && parsed.protocol === 'http:' && !local) {
    throw new UsageError(`--dashboards-url ${parsed.origin}: http would send ${login.username}'s password in clear to another host; give Dashboards' https URL (a private CA with --dashboards-ca-file)`);
  }
  const caPath = caFile ?? env.OPENSEARCH_CA_FILE;
  if (caFile !== undefined && parsed.protocol !== 'https:') throw new UsageError(`--dashboards-ca-file: Dashboards at ${parsed.origin} is not reached over https`);
  const ca = caPath && parsed.protocol === 'https:' ? readPemFile(caPath, caFile !== undefined ? '--dashboards-ca-file' : 'OPENSEARCH_CA_FILE', '-----BEGIN CERTIFICATE-----', 'certificate').toString('utf8') : undefined;
  if (!ca || !caPath) return { url: split.url.replace(/\/+$/, ''), ...(login ? login : {}) };
  // A connection given CAs of its own trusts those alone: Node's bundled ones and NODE_EXTRA_CA_CERTS (what a private
  // Dashboards CA went through before this option) are added back. (A system store Node was told to use instead,
  // --use-openssl-ca, is not: give its CA as the file.)
  let extra = '';
  if (env.NODE_EXTRA_CA_CERTS) {
    try {
      extra = readPemFile(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS', '-----BEGIN CERTIFICATE-----', 'certificate').toString('utf8');
    } catch (err) {
      // As Node itself does with that file: warned about, not fatal.
      process.stderr.write(`warning: ${(err as Error).message}; Dashboards' certificate is checked without it\n`);
    }
  }
  return { url: split.url.replace(/\/+$/, ''), ...(login ? login : {}), ca: [ca, ...(extra ? [extra] : [])], caFile: extra ? `NODE_EXTRA_CA_CERTS and ${caPath}` : caPath };
}
