// Builds the serve configuration from defaults < JSON file < environment < command-line flags, validated once.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { issueKey, readJsonFile } from './json-input.js';
import { openSearchEnv } from '../opensearch/config.js';
import { MIN_TOKEN_LENGTH, ServeConfigSchema, type ServeConfig } from './serve-config.js';

type Tree = Record<string, unknown>;

/** Environment variables and the config key each sets. OPENSEARCH_* come from opensearch/config.ts. */
const ENV_KEYS: ReadonlyArray<readonly [env: string, path: string, kind: 'string' | 'number' | 'list']> = [
  ['SEQSENTRY_HOST', 'listen.host', 'string'],
  ['SEQSENTRY_PORT', 'listen.port', 'number'],
  ['SEQSENTRY_MODEL_DIR', 'model_dir', 'string'],
  ['SEQSENTRY_TOKEN', 'auth.tokens', 'list'],
  ['SEQSENTRY_TOKEN_FILE', 'auth.token_file', 'string'],
  ['SEQSENTRY_ADMIN_TOKEN', 'auth.admin_tokens', 'list'],
  ['SEQSENTRY_SCORE_TOKEN', 'auth.score_tokens', 'list'],
  ['SEQSENTRY_FORMAT', 'adapter.format', 'string'],
  ['SEQSENTRY_MAX_BODY_BYTES', 'max_body_bytes', 'number'],
  ['SEQSENTRY_DEFAULT_SCOPE', 'history.default_scope', 'string'],
];

export interface LoadServeConfigOptions {
  /** JSON config file; SEQSENTRY_CONFIG when unset. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides as dotted keys, e.g. { 'listen.port': 9000 }. */
  overrides?: Record<string, unknown>;
}

function isTree(v: unknown): v is Tree {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys.at(-1) as string] = value;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isTree(v) && isTree(out[k]) ? merge(out[k] as Tree, v) : v;
  return out;
}

/** Numbers from the environment stay strings when they are not numbers, so the schema names the bad value. */
function envValue(raw: string, kind: 'string' | 'number' | 'list'): unknown {
  if (kind === 'number') return /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
  if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

function readConfigFile(file: string): Tree {
  const json = readJsonFile(file, '--config');
  if (!isTree(json)) throw new ConfigError('--config', `${file} must hold a JSON object`);
  return json;
}

function readTokenFile(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  } catch (err) {
    throw new ConfigError('auth.token_file', `cannot read ${file}: ${(err as Error).message}`);
  }
}

export function loadServeConfig(options: LoadServeConfigOptions = {}): ServeConfig {
  const env = options.env ?? process.env;
  const origin = new Map<string, string>(); // dotted key → env var / flag that set it
  const file = options.file ?? env.SEQSENTRY_CONFIG;
  let tree: Tree = file ? readConfigFile(file) : {};

  const fromEnv: Tree = {};
  const os = openSearchEnv(env);
  if (Object.keys(os).length) fromEnv.opensearch = os;
  for (const [name, path, kind] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(fromEnv, path, envValue(raw, kind));
    origin.set(path, name);
  }
  tree = merge(tree, fromEnv);
  const flags: Tree = {};
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    setPath(flags, path, value);
    origin.set(path, `--${path.split('.').at(-1)?.replace(/_/g, '-')}`);
  }
  tree = merge(tree, flags);

  const parsed = ServeConfigSchema.safeParse(tree);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues.map((i) => {
      const key = issueKey(i);
      const set = [...origin.keys()].find((k) => key === k || key.startsWith(`${k}.`));
      const from = (set && origin.get(set)) ?? (file ? `in ${file}` : undefined);
      return { key: from ? `${key} (${from.startsWith('in ') ? from : `from ${from}`})` : key, message: i.message };
    });
    const more = rest.length ? `; also ${rest.map((r) => `${r.key}: ${r.message}`).join('; ')}` : '';
    throw new ConfigError(first?.key ?? '(root)', `${first?.message ?? 'invalid'}${more}`);
  }
  const config = parsed.data;

  // Relative paths in a file are relative to the file, not to the working directory.
  const base = file ? dirname(resolve(file)) : process.cwd();
  if (config.auth.token_file) {
    const tokenFile = resolve(origin.has('auth.token_file') ? process.cwd() : base, config.auth.token_file);
    const tokens = readTokenFile(tokenFile);
    const short = tokens.findIndex((t) => t.length < MIN_TOKEN_LENGTH);
    if (short >= 0) throw new ConfigError('auth.token_file', `line ${short + 1} of ${tokenFile}: a token must be at least ${MIN_TOKEN_LENGTH} characters`);
    config.auth.tokens = [...config.auth.tokens, ...tokens];
  }
  // An admin token that also scores would let every shipper reload the model: the two sets are kept apart
  const both = config.auth.admin_tokens.findIndex((t) => config.auth.tokens.includes(t) || config.auth.score_tokens.includes(t));
  if (both >= 0) throw new ConfigError('auth.admin_tokens', `token ${both + 1} is also a scoring token (auth.tokens, SEQSENTRY_TOKEN or auth.token_file): give the admin routes a token of their own`);
  if (config.auth.enabled && config.auth.tokens.length === 0) {
    throw new ConfigError('auth.tokens', 'no bearer token configured: set SEQSENTRY_TOKEN, auth.tokens or auth.token_file (or auth.enabled: false to serve without auth)');
  }
  config.model_dir = resolve(origin.has('model_dir') ? process.cwd() : base, config.model_dir);
  if (config.opensearch.tls.ca_file && !env.OPENSEARCH_CA_FILE) config.opensearch.tls.ca_file = resolve(base, config.opensearch.tls.ca_file);
  return config;
}
