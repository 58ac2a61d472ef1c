// ECS / OpenSearch JSON authentication documents as canonical events, through a field map users can override.
import { z } from 'zod';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { Adapter, AdapterFactory } from './adapter.js';
import { parseAdapterOptions } from './options.js';
import { getPath, jsonDocument } from './json-record.js';
import { text } from './names.js';
import { epochSeconds, isoSeconds, plausibleTime } from './time.js';

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

function firstValue(doc: Record<string, unknown>, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    let v = getPath(doc, path);
    if (Array.isArray(v)) v = v[0];
    // A placeholder (`-`, `null`, `n/a`: Windows writes `-` for no workstation) is no value: the next path may hold one.
    const t = text(v);
    if (t === undefined) continue;
    return t;
  }
  return undefined;
}

function parseTime(value: unknown, source: SourceRef, field: string): number {
  const t = typeof value === 'number' ? epochSeconds(value) : typeof value === 'string' ? isoSeconds(value) : NaN;
  if (!Number.isFinite(t)) throw new AdapterError(source.file, source.line, `not a timestamp: ${JSON.stringify(value)?.slice(0, 80)}`, field);
  return plausibleTime(t, value, source, field);
}

export function createEcsAdapter(options: Record<string, unknown> = {}): Adapter {
  const opts = parseAdapterOptions(OptionsSchema, options);
  const fieldMap = { ...DEFAULT_ECS_FIELDS, ...(opts.fields ?? {}) };
  const timePaths = opts.time ?? DEFAULT_TIME_PATHS;
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
      const body = jsonDocument(record, source);
      if (!body) return null;
      // One pass each over the time paths and the fields (every document of the proxy comes here): each path read
      // once, no array made but the event's fields.
      let timePath: string | undefined;
      let timeValue: unknown;
      for (const p of timePaths) {
        timeValue = getPath(body, p);
        if (timeValue !== undefined) {
          timePath = p;
          break;
        }
      }
      if (timePath === undefined) throw new AdapterError(source.file, source.line, `no timestamp (looked at ${timePaths.join(', ')})`, timePaths[0]);
      const time = parseTime(timeValue, source, timePath);
      const fields: string[] = new Array(pathLists.length);
      let present = false;
      for (let i = 0; i < pathLists.length; i++) {
        const v = firstValue(body, pathLists[i] as readonly string[]);
        if (v !== undefined) present = true;
        fields[i] = v ?? MISSING;
      }
      if (!present) throw new AdapterError(source.file, source.line, `none of the mapped fields is present (${fieldNames.join(', ')})`);
      const entities: Record<string, string> = {};
      for (let i = 0; i < ENTITY_NAMES.length; i++) {
        const idx = entityIndex[i] as number;
        entities[ENTITY_NAMES[i] as string] = idx >= 0 ? (fields[idx] as string) : MISSING;
      }
      return { time, entities, fields, raw: body, source };
    },
  };
}

export const ecs: AdapterFactory = Object.freeze({
  name: 'ecs',
  summary: 'ECS / OpenSearch JSON authentication documents (one per line, or search hits), with an overridable field map',
  create: createEcsAdapter,
});
