// The content pack as data: reads plugin-manifest/manifest.json and the JSON files it lists, and fills placeholders.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Repository root: src/install/ and dist/install/ both sit two levels below it. */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const RequiresSchema = z
  .object({
    plugins: z.array(z.string()).optional(),
    processors: z.array(z.string()).optional(),
    modules: z.array(z.string()).optional(),
  })
  .strict();
export type Requires = z.infer<typeof RequiresSchema>;

export const CONTENT_KINDS = [
  'component_template',
  'index_template',
  'state_index',
  'entities_index',
  'cluster_settings',
  'ml_connector',
  'ml_model',
  'ingest_pipeline',
  'monitor',
  'saved_objects',
] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

const EntrySchema = z
  .object({
    kind: z.enum(CONTENT_KINDS),
    id: z.string().min(1),
    file: z.string().optional(),
    description: z.string().optional(),
    requires: RequiresSchema.optional(),
    only_with: z.literal('index_patterns').optional(),
    /** A monitor's thresholds: from which entities' volume install sizes them (src/install/alert-thresholds.ts). */
    thresholds: z.enum(['user', 'host', 'event']).optional(),
    variants: z.array(z.object({ file: z.string(), requires: RequiresSchema, note: z.string().optional() }).strict()).min(1).optional(),
  })
  .strict()
  .refine((e) => !!e.file !== !!e.variants, { message: 'an entry has either file or variants' });
export type ContentEntry = z.infer<typeof EntrySchema>;

const ManifestSchema = z
  .object({
    format_version: z.literal(1),
    name: z.string(),
    title: z.string(),
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    license: z.string(),
    changelog: z.string(),
    conditions: z.object({ opensearch: z.object({ min: z.string(), below: z.string() }).strict() }).passthrough(),
    content: z.array(EntrySchema).min(1),
    /** Every file of the content folder with its sha256 (scripts/content-hashes.mjs writes it). */
    files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;

function readJson(root: string, file: string): unknown {
  const path = join(root, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read content file: ${(err as Error).message}`);
  }
  // An ndjson file (Dashboards saved objects) is read as { objects: [one per line] }.
  const lines = file.endsWith('.ndjson') ? text.split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim() !== '') : [[text, 0] as const];
  const parsed = lines.map(([line, n]) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (err) {
      throw new ConfigError(n ? `${file} line ${n}` : file, `not valid JSON: ${(err as Error).message}`);
    }
  });
  return file.endsWith('.ndjson') ? { objects: parsed } : parsed[0];
}

export function loadManifest(root = PACKAGE_ROOT): Manifest {
  const raw = readJson(root, 'plugin-manifest/manifest.json');
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`plugin-manifest/manifest.json ${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
  }
  for (const entry of parsed.data.content) {
    if (!entry.id.startsWith(parsed.data.name) && !entry.id.startsWith(`.${parsed.data.name}`)) {
      throw new ConfigError(`plugin-manifest/manifest.json content ${entry.id}`, `ids start with the package name "${parsed.data.name}"`);
    }
  }
  return parsed.data;
}

/** The folder that holds every content file; the manifest lists each of them with its sha256. */
export const CONTENT_DIR = 'pipelines';

export function sha256Of(file: string, root = PACKAGE_ROOT): string {
  try {
    return createHash('sha256').update(readFileSync(join(root, file))).digest('hex');
  } catch (err) {
    throw new ConfigError(file, `cannot read content file: ${(err as Error).message}`);
  }
}

/**
 * Reads a content file the manifest lists, after checking its sha256 against the manifest's: install puts exactly
 * the files the manifest describes, never one edited after it was hashed.
 */
export function loadListedContent(manifest: Manifest, file: string, root = PACKAGE_ROOT): { body: Record<string, unknown>; sha256: string } {
  const want = manifest.files[file];
  if (!want) throw new ConfigError(`plugin-manifest/manifest.json files`, `${file} is not listed (run node scripts/content-hashes.mjs)`);
  const sha256 = sha256Of(file, root);
  if (sha256 !== want) throw new ConfigError(file, `sha256 ${sha256.slice(0, 12)}… differs from the manifest's ${want.slice(0, 12)}…: the file changed after it was hashed (run node scripts/content-hashes.mjs)`);
  return { body: loadContent(file, root), sha256 };
}

/** Reads one content file (a JSON object), relative to the package root. */
export function loadContent(file: string, root = PACKAGE_ROOT): Record<string, unknown> {
  const value = readJson(root, file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(file, 'a content file holds one JSON object');
  return value as Record<string, unknown>;
}

const WHOLE = /^\{\{seqsentry:([a-z_]+)\}\}$/;
const INNER = /\{\{seqsentry:([a-z_]+)\}\}/g;

/**
 * Fills `{{seqsentry:name}}` placeholders. A string that is exactly one placeholder takes the variable's JSON value
 * (arrays included); a placeholder inside a longer string is replaced by the value's text. Other templates in the
 * content (`${parameters.x}` for ML Commons, `{{ _ingest.x }}` for mustache) are left alone.
 */
export function render<T>(value: T, vars: Readonly<Record<string, unknown>>, file: string): T {
  const lookup = (name: string): unknown => {
    if (!(name in vars) || vars[name] === undefined) throw new ConfigError(file, `no value for placeholder {{seqsentry:${name}}}`);
    return vars[name];
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) return lookup(whole[1] as string);
      return v.replace(INNER, (_, name: string) => String(lookup(name)));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
