// How to reach OpenSearch: URL, TLS and basic or API-key auth. Shared by serve, install and enrich.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

export const OpenSearchConfigSchema = z
  .object({
    url: z.string().url().default('http://127.0.0.1:9200'),
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
    request_timeout_ms: z.number().int().positive().default(30_000),
  })
  .strict()
  .refine((c) => !(c.username && c.api_key), { message: 'set either username/password or api_key, not both' })
  .refine((c) => !c.username === !c.password, { message: 'username and password go together' });

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
