// ECS / OpenSearch JSON authentication documents as canonical events, through a field map users can override.
import { z } from 'zod';
import { AdapterError, ConfigError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { Adapter, AdapterFactory } from './adapter.js';

/** Canonical field → ECS paths tried in order; the first present, non-empty value wins. Missing → "?". */
export const DEFAULT_ECS_FIELDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  user: ['user.name', 'winlog.event_data.TargetUserName'],
  user_domain: ['user.domain', 'winlog.event_data.TargetDomainName'],
  src_host: ['source.domain', 'source.address', 'source.ip', 'winlog.event_data.WorkstationName', 'winlog.event_data.IpAddress'],
  dst_host: ['destination.domain', 'destination.address', 'destination.ip', 'host.name', 'host.hostname', 'winlog.computer_name'],
  action: ['event.action', 'event.code', 'winlog.event_id'],
  outcome: ['event.outcome'],
  logon_type: ['winlog.logon.type', 'winlog.event_data.LogonType'],
  auth_package: ['winlog.event_data.AuthenticationPackageName', 'winlog.event_data.LmPackageName'],
});
const DEFAULT_TIME_PATHS = ['@timestamp', 'event.created', 'timestamp'];
const ENTITY_NAMES = ['user', 'src_host', 'dst_host'] as const;
const MISSING = '?';

const OptionsSchema = z
  .object({
    fields: z.record(z.string(), z.array(z.string()).min(1)).optional(),
    time: z.array(z.string()).min(1).optional(),
  })
  .strict();
export type EcsOptions = z.infer<typeof OptionsSchema>;

/** Reads `a.b.c` from nested objects, from flat dotted keys, or from a mix of both. */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  // Try every split point so `{"user": {"name": x}}` and `{"user.name": x}` both resolve.
  for (let i = dot; i >= 0; i = path.indexOf('.', i + 1)) {
    const head = doc[path.slice(0, i)];
    if (head !== null && typeof head === 'object' && !Array.isArray(head)) {
      const found = getPath(head as Record<string, unknown>, path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function firstValue(doc: Record<string, unknown>, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    let v = getPath(doc, path);
    if (Array.isArray(v)) v = v[0];
    if (v === undefined || v === null || v === '' || typeof v === 'object') continue;
    return String(v);
  }
  return undefined;
}

/**
 * ISO 8601 as ECS writes it (a date, optionally a time with fraction and zone); Date.parse alone would also take
 * "x 1" or "Tuesday 5" in V8's lenient legacy syntax.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseTime(value: unknown, source: SourceRef, field: string): number {
  const t = typeof value === 'number' ? value / 1000 : typeof value === 'string' && ISO_TIME.test(value) ? Date.parse(value.replace(',', '.')) / 1000 : NaN;
  if (!Number.isFinite(t)) throw new AdapterError(source.file, source.line, `not a timestamp: ${JSON.stringify(value)}`, field);
  return t;
}

export function createEcsAdapter(options: Record<string, unknown> = {}): Adapter {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`adapter_options.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
  }
  const fieldMap = { ...DEFAULT_ECS_FIELDS, ...(parsed.data.fields ?? {}) };
  const timePaths = parsed.data.time ?? DEFAULT_TIME_PATHS;
  const fieldNames = Object.keys(fieldMap);
  const pathLists = fieldNames.map((name) => fieldMap[name] as readonly string[]);
  const entityIndex = ENTITY_NAMES.map((e) => fieldNames.indexOf(e));
  return {
    name: 'ecs',
    fieldNames,
    entityKey: 'user',
    entityNames: ENTITY_NAMES,
    // The first path of each: the one an ECS index maps (the others are fallbacks for other shapes).
    labelEntities: ['user', 'src_host', 'dst_host'],
    documentFields: {
      time: timePaths[0] as string,
      entities: Object.fromEntries(ENTITY_NAMES.map((e) => [e, (fieldMap[e] as readonly string[])[0] as string])),
      entityPaths: Object.fromEntries(ENTITY_NAMES.map((e) => [e, fieldMap[e] as readonly string[]])),
    },
    parse(record, source): CanonicalEvent | null {
      let doc: unknown = record;
      if (typeof record === 'string') {
        if (record.trim() === '') return null;
        try {
          doc = JSON.parse(record);
        } catch (err) {
          throw new AdapterError(source.file, source.line, `invalid JSON: ${(err as Error).message}`);
        }
      }
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AdapterError(source.file, source.line, 'expected a JSON object');
      const obj = doc as Record<string, unknown>;
      // OpenSearch search hits carry the document under _source.
      const body = obj._source && typeof obj._source === 'object' ? (obj._source as Record<string, unknown>) : obj;
      const timePath = timePaths.find((p) => getPath(body, p) !== undefined);
      if (!timePath) throw new AdapterError(source.file, source.line, `no timestamp (looked at ${timePaths.join(', ')})`, timePaths[0]);
      const time = parseTime(getPath(body, timePath), source, timePath);
      const values = pathLists.map((paths) => firstValue(body, paths));
      if (values.every((v) => v === undefined)) {
        throw new AdapterError(source.file, source.line, `none of the mapped fields is present (${fieldNames.join(', ')})`);
      }
      const fields = values.map((v) => v ?? MISSING);
      const entities: Record<string, string> = {};
      ENTITY_NAMES.forEach((name, i) => {
        const idx = entityIndex[i] ?? -1;
        entities[name] = idx >= 0 ? (fields[idx] as string) : MISSING;
      });
      return { time, entities, fields, raw: body, source };
    },
  };
}

export const ecs: AdapterFactory = Object.freeze({
  name: 'ecs',
  summary: 'ECS / OpenSearch JSON authentication documents (one per line, or search hits), with an overridable field map',
  create: createEcsAdapter,
});
