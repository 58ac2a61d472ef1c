// Web and SSO logins (user id, time, client IP, user agent, outcome) as canonical events, enriched offline with the
// agent's browser, OS and device family and the IP's country and autonomous system (weblogin-enrich.ts). Accepts the
// login-risk services' request shape (`userID`, `timestamp` in ns, `location` = IP, `userAgent`) and ECS-like names.
import { z } from 'zod';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { Adapter, AdapterFactory } from './adapter.js';
import { parseAdapterOptions } from './options.js';
import { getPath, jsonDocument } from './json-record.js';
import { ABSENT, isIp, normaliseIp, text } from './names.js';
import { epochSeconds, isoSeconds, plausibleTime } from './time.js';
import { placeOf, userAgentFamily } from './weblogin-enrich.js';

const FIELD_NAMES = ['user', 'src_host', 'dst_host', 'country', 'asn', 'browser', 'os', 'device', 'outcome', 'auth_type'] as const;
const ENTITY_NAMES = ['user', 'src_host', 'dst_host', 'src_ip'] as const;
/**
 * The user's habits beyond its addresses, which the per-entity memory and the rarity baseline count (Adapter.extraPairs):
 * the country and AS it logs in from, the browser and OS it logs in with. Chosen over the web-login matrix
 * (docs/benchmarks.md): country and AS alone left new devices ranked below the rule's.
 */
const WEBLOGIN_PAIRS = Object.freeze(['country', 'asn', 'browser', 'os'].map((field) => Object.freeze([{ entity: 'user' }, { field }] as const)));

/**
 * Seconds a user's earlier login must precede this one for the fused memory's recall to count its pairs: a sitting
 * (an SSO client signing in to several applications, or a taker trying the stolen account from one address and
 * device) is a burst of minutes, and recalling its own first login made the second and third look habitual. On the
 * web-login matrix (docs/benchmarks.md; 12 runs re-ranked from their dumps): mean AP 0.960 recalling every login,
 * 0.971 / 0.973 / 0.972 / 0.971 leaving out the last 30 min / 1 h / 2 h / 4 h, 0.967 without recall (which leaves a
 * trip's second day as new as its first); the bench rerun with 1 h gave the same 0.973.
 */
const RECALL_MIN_AGE = 3600;

/**
 * The user's hour-of-day habit is kept per OS (Adapter.hourHabitField): a phone used in the evening and a desktop at
 * work are two habits, and one profile made every evening phone login as rare as a night-time one (most normal logins
 * ranked above the account takers' on the web-login matrix). OS rather than browser: Chrome runs on both. Measured on
 * the matrix's 12 runs refitted (docs/benchmarks.md): mean AP 0.976 one habit per user, 0.981 per OS.
 */
const HOUR_HABIT_FIELD = 'os';

/**
 * Where a user logs in from, for the fused memory's travel component (Adapter.travel): a login from a country new to
 * the user within 12 hours of one from another country is a taker (the victim at home the same morning), a traveller's
 * first login abroad comes a flight, a night or a weekend later. The country rather than the AS: a phone changes AS
 * with its network at home. The horizon was chosen on the web-login matrix's 18 lstm-lm runs refitted
 * (docs/benchmarks.md), with a sidecar's history (recalling the days before) and without: mean AP 0.985 -> 0.991 / 0.991, above
 * the rule's in 17 runs instead of 15; 6 hours 0.990, 16; 24 hours 0.991 / 0.987, 16 / 15; no horizon 0.991 / 0.981.
 * Checked on seeds 4-6, never looked at before (18 runs): 12 hours 0.987 / 0.987, 6 hours the same, 24 hours 0.988 /
 * 0.985, none 0.986 / 0.978. Only a successful login is a place the user was (`outcome`): a credential-stuffing try
 * from abroad hours before a traveller's own login had made that login a takeover's.
 */
const TRAVEL = Object.freeze({ field: 'country', within: 12 * 3600, outcome: Object.freeze({ field: 'outcome', success: 'success' }) });

/** Where each input lives, first present wins; `--adapter-options '{"fields":{"user":["account"]}}'` overrides. */
export const DEFAULT_WEBLOGIN_FIELDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  user: ['userID', 'userId', 'user_id', 'user.id', 'user.name', 'username', 'user'],
  time: ['timestamp', '@timestamp', 'time', 'event.created'],
  ip: ['location', 'ip', 'client_ip', 'clientIP', 'ip_address', 'source.ip', 'client.ip'],
  user_agent: ['userAgent', 'user_agent.original', 'user_agent', 'ua'],
  outcome: ['outcome', 'event.outcome', 'success', 'result'],
  app: ['app', 'application', 'service', 'service.name', 'destination.domain'],
  auth_type: ['auth_type', 'authMethod', 'auth_method', 'method'],
});

const OptionsSchema = z
  .object({ fields: z.object(Object.fromEntries(Object.keys(DEFAULT_WEBLOGIN_FIELDS).map((k) => [k, z.array(z.string()).min(1).optional()]))).strict().optional() })
  .strict();

const SUCCESS = new Set(['success', 'succeeded', 'successful', 'ok', 'true', 'pass', 'passed', 'allowed', 'allow', '1']);
const FAILURE = new Set(['failure', 'failed', 'fail', 'false', 'denied', 'deny', 'rejected', 'error', 'invalid', '0']);

function first(doc: Record<string, unknown>, paths: readonly string[]): { value: unknown; path: string } | undefined {
  for (const path of paths) {
    const value = getPath(doc, path);
    if (value !== undefined && value !== null && value !== '') return { value, path };
  }
  return undefined;
}

/**
 * Seconds from a number or digit string by its magnitude (the login-risk shape sends nanoseconds; others send
 * seconds or milliseconds), or from ISO 8601.
 */
function seconds(value: unknown, path: string, source: SourceRef): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,20}(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
  const t = n !== undefined ? epochSeconds(n) : typeof value === 'string' ? isoSeconds(value.trim()) : NaN;
  if (!Number.isFinite(t)) throw new AdapterError(source.file, source.line, `not a timestamp: ${JSON.stringify(value)?.slice(0, 80)}`, path);
  return plausibleTime(t, value, source, path);
}

/**
 * The client of a location value as proxies and servers write it: the first hop of an X-Forwarded-For chain
 * (`203.0.113.7, 10.0.0.1`), without a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) or brackets; other text as it is.
 */
export function clientAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const hop = value.split(',')[0]?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  if (bracketed) return bracketed[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  if (v4port) return v4port[1];
  return hop === '' ? undefined : hop;
}

function outcomeOf(value: unknown): string {
  const t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  return SUCCESS.has(t) ? 'success' : FAILURE.has(t) ? 'failure' : t.slice(0, 64);
}

export function createWebloginAdapter(options: Record<string, unknown> = {}): Adapter {
  const opts = parseAdapterOptions(OptionsSchema, options);
  const given: Record<string, readonly string[] | undefined> = opts.fields ?? {};
  const path = (name: string): readonly string[] => given[name] ?? (DEFAULT_WEBLOGIN_FIELDS[name] as readonly string[]);
  const paths = { user: path('user'), time: path('time'), ip: path('ip'), user_agent: path('user_agent'), outcome: path('outcome'), app: path('app'), auth_type: path('auth_type') };

  const toEvent = (doc: Record<string, unknown>, source: SourceRef): CanonicalEvent => {
    const user = first(doc, paths.user);
    const userId = text(user?.value);
    if (userId === undefined) throw new AdapterError(source.file, source.line, `no user id (looked at ${paths.user.join(', ')})`, paths.user[0]);
    const when = first(doc, paths.time);
    if (!when) throw new AdapterError(source.file, source.line, `no time (looked at ${paths.time.join(', ')})`, paths.time[0]);
    const time = seconds(when.value, when.path, source);
    const rawIp = clientAddress(text(first(doc, paths.ip)?.value));
    // A client named by host name, not address, is kept as the source; it has no country or AS.
    const ip = rawIp !== undefined && isIp(rawIp) ? normaliseIp(rawIp) : ABSENT;
    const src = ip !== ABSENT ? ip : rawIp !== undefined ? rawIp.toLowerCase().slice(0, 255) : ABSENT;
    const agent = first(doc, paths.user_agent)?.value;
    const family = userAgentFamily(typeof agent === 'string' ? agent : undefined);
    const app = text(first(doc, paths.app)?.value)?.toLowerCase() ?? ABSENT;
    const place = ip === ABSENT ? null : placeOf(ip);
    const fields = [
      userId, src, app, place?.country ?? ABSENT, place?.asn ?? ABSENT, family.browser, family.os, family.device,
      outcomeOf(first(doc, paths.outcome)?.value), text(first(doc, paths.auth_type)?.value)?.toLowerCase() ?? ABSENT,
    ];
    return { time, entities: { user: userId, src_host: src, dst_host: app, src_ip: ip }, fields, raw: doc, source };
  };

  return {
    name: 'weblogin',
    fieldNames: FIELD_NAMES,
    entityKey: 'user',
    entityNames: ENTITY_NAMES,
    labelEntities: ['user', 'src_host', 'dst_host'],
    extraPairs: WEBLOGIN_PAIRS,
    recallMinAge: RECALL_MIN_AGE,
    hourHabitField: HOUR_HABIT_FIELD,
    travel: TRAVEL,
    // Login records keep their time in many shapes (the login-risk shape in nanoseconds, not a date field): SeqSentry
    // stamps anomaly.entity and anomaly.time on what it scores and finds history by those.
    documentFields: null,
    parse(record, source) {
      const doc = jsonDocument(record, source);
      return doc && toEvent(doc, source);
    },
  };
}

export const weblogin: AdapterFactory = Object.freeze({
  name: 'weblogin',
  summary: 'web/SSO logins as JSON (user id, time, client IP, user agent, outcome), enriched offline with browser/OS/device family, country and AS; option fields',
  create: createWebloginAdapter,
});
