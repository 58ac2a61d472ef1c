// How to reach OpenSearch: URL, TLS and basic or API-key auth. Shared by serve, install and enrich.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { logger } from '../util/log.js';
import { readPemFile } from '../util/pem.js';
import { splitUrlCredentials } from '../util/url-credentials.js';

/** The longest delay Node's timers take (2^31 − 1 ms, 24.8 days): a longer one fires at once, after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * `https://user:password@host` as a URL: the credentials move to username/password (so every path sends them the same
 * way, and the URL printed or logged never holds them); with username or api_key set as well, refused.
 */
function credentialsOutOfUrl(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || typeof (raw as { url?: unknown }).url !== 'string') return raw;
  const c = raw as Record<string, unknown> & { url: string };
  const split = splitUrlCredentials(c.url);
  if (!split?.login) return raw; // no login in it (or no URL: the schema says why)
  if (c.username !== undefined || c.api_key !== undefined) throw new ConfigError('opensearch.url', 'holds credentials while username or api_key is set too: give them one way');
  return { ...c, url: split.url, ...split.login };
}

export const OpenSearchConfigSchema = z.preprocess(credentialsOutOfUrl, z
  .object({
    url: z.string().url().refine((u) => /^https?:\/\/[^/]/i.test(u), { message: 'an http:// or https:// URL of OpenSearch' }).default('http://127.0.0.1:9200'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** Base64 `id:key`, sent as `Authorization: ApiKey ...`. */
    api_key: z.string().optional(),
    tls: z
      .object({
        ca_file: z.string().optional(),
        reject_unauthorized: z.boolean().default(true),
      })
      .strict()
      .default({ reject_unauthorized: true }),
    request_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
  })
  .strict()
  .refine((c) => !(c.username && c.api_key), { message: 'set either username/password or api_key, not both' })
  .refine((c) => !c.username === !c.password, { message: 'username and password go together' }));

export type OpenSearchConfig = z.infer<typeof OpenSearchConfigSchema>;

/** OpenSearch settings from the environment (OPENSEARCH_URL, OPENSEARCH_USERNAME, ...), unset keys left out. */
export function openSearchEnv(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.OPENSEARCH_URL) out.url = env.OPENSEARCH_URL;
  if (env.OPENSEARCH_USERNAME) out.username = env.OPENSEARCH_USERNAME;
  if (env.OPENSEARCH_PASSWORD) out.password = env.OPENSEARCH_PASSWORD;
  if (env.OPENSEARCH_API_KEY) out.api_key = env.OPENSEARCH_API_KEY;
  if (env.OPENSEARCH_CA_FILE || env.OPENSEARCH_TLS_REJECT_UNAUTHORIZED) {
    out.tls = {
      ...(env.OPENSEARCH_CA_FILE ? { ca_file: env.OPENSEARCH_CA_FILE } : {}),
      ...(env.OPENSEARCH_TLS_REJECT_UNAUTHORIZED ? { reject_unauthorized: env.OPENSEARCH_TLS_REJECT_UNAUTHORIZED !== 'false' } : {}),
    };
  }
  return out;
}

/** The settings of a CLI command: the environment's, with `--opensearch-url` over OPENSEARCH_URL. */
export function openSearchConfig(url: string | undefined): OpenSearchConfig {
  const parsed = OpenSearchConfigSchema.safeParse({ ...openSearchEnv(), ...(url ? { url } : {}) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`opensearch.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/**
 * The TLS options of a connection: the CA file read (it must hold a PEM certificate: a wrong file is named here, not
 * met later as "unable to verify the first certificate"), and a warning when verification is turned off.
 */
export function tlsOptions(config: OpenSearchConfig): { rejectUnauthorized: boolean; ca?: Buffer } {
  const ca = config.tls.ca_file ? readPemFile(config.tls.ca_file, 'opensearch.tls.ca_file', '-----BEGIN CERTIFICATE-----', 'certificate') : undefined;
  if (!config.tls.reject_unauthorized && config.url.startsWith('https:') && !warnedUnverified.has(config.url)) {
    warnedUnverified.add(config.url);
    logger.warn({ url: config.url }, 'TLS verification is off (opensearch.tls.reject_unauthorized false, OPENSEARCH_TLS_REJECT_UNAUTHORIZED=false): any server can pose as OpenSearch and read the credentials and events');
  }
  return { rejectUnauthorized: config.tls.reject_unauthorized, ...(ca ? { ca } : {}) };
}

/** Origins already warned about, so that a process warns once per cluster, not per client. */
const warnedUnverified = new Set<string>();
