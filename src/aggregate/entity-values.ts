// Entity values as the model saw them, for formats whose adapter derives its entities from the document's fields
// (Windows: `ALICE`, `CORP\alice` and `alice@corp.local` are the user `alice`; `DC01.corp.local` is the host `dc01`).
// Notables group events by these, so one account is one entity to the monitors as it is to the model: the context
// entity by the `anomaly.entity` stamp the scorer writes where the document's own fields hold it only up to letter
// case (service/entity-stamp.ts), else by those fields lower-cased; hosts and addresses as names.ts normalises them.
// The same rules run in OpenSearch (a Painless script for the aggregations and the window filters) and here (for the
// top events read back), and a test holds the two to the same values.
import type { Adapter } from '../adapters/adapter.js';
import { ABSENT, normaliseHost, normaliseIp, normaliseUser, text } from '../adapters/names.js';

export type EntityForm = 'user' | 'host' | 'ip';

/** How one entity kind's value is derived from a document: a stamp first, folded fields, then its fields by form. */
export interface EntityValueRule {
  /** `anomaly.entity`, for the bundle's context entity. */
  stamp?: string;
  /** Fields whose value is the entity up to letter case (used before `fields`). */
  folded: readonly string[];
  /** The kind's fields in order; the first present is normalised by `form`. */
  fields: readonly string[];
  form: EntityForm;
}

const STAMP = 'anomaly.entity';

/**
 * The form of each kind of an adapter that derives its entities by names.ts's rules (Windows: it declares the fields
 * its context entity is folded from); null for one that copies them (ECS) or derives them otherwise (Zeek's records
 * are grouped by their own address fields).
 */
export function entityForms(adapter: Adapter): Record<string, EntityForm> | null {
  if (!adapter.documentFields?.entitiesDerived || !adapter.documentFields.foldedEntityPaths) return null;
  const out: Record<string, EntityForm> = {};
  for (const kind of Object.keys(adapter.documentFields.entityPaths)) out[kind] = kind === 'user' ? 'user' : kind.endsWith('_ip') ? 'ip' : 'host';
  return out;
}

/** The rule of one kind: the stamp and folded fields only for the bundle's context entity. */
export function entityRule(adapter: Adapter, kind: string, entityKey: string, form: EntityForm, fields: readonly string[], usable: ReadonlySet<string>): EntityValueRule {
  const folded = kind === entityKey ? (adapter.documentFields?.foldedEntityPaths?.[kind] ?? []).flatMap((p) => [p, `${p}.keyword`]).filter((p) => usable.has(p)) : [];
  const stamp = [STAMP, `${STAMP}.keyword`].find((p) => usable.has(p));
  return { ...(kind === entityKey && stamp ? { stamp } : {}), folded, fields, form };
}

/** Every field a rule reads, for docvalue_fields. */
export function ruleFields(rule: EntityValueRule): string[] {
  return [...(rule.stamp ? [rule.stamp] : []), ...rule.folded, ...rule.fields];
}

/** The entity of a document's doc values under `rule`, or undefined for none; the JavaScript twin of the script. */
export function entityValue(rule: EntityValueRule, values: (field: string) => unknown): string | undefined {
  const stamped = rule.stamp ? text(values(rule.stamp)) : undefined;
  if (stamped !== undefined) return stamped;
  for (const f of rule.folded) {
    const v = text(values(f));
    if (v !== undefined) return v.toLowerCase();
  }
  for (const f of rule.fields) {
    const v = values(f);
    if (text(v) === undefined) continue;
    const out = rule.form === 'user' ? normaliseUser(v).user : rule.form === 'ip' ? normaliseIp(v) : normaliseHost(v);
    return out === ABSENT ? undefined : out;
  }
  return undefined;
}

/**
 * The Painless twin of `entityValue` (names.ts's rules: placeholders absent, a user's domain dropped, a host's
 * UNC prefix, computer-account `$` and domain dropped, IPv4-mapped IPv6 as IPv4, loopback absent). `params.rule` is
 * an EntityValueRule; returns null for none, so the document is in no bucket.
 */
export const ENTITY_SCRIPT = `
String present(def doc, String f) {
  if (!doc.containsKey(f) || doc[f].size() == 0) return null;
  String t = doc[f].value.toString().trim();
  String l = t.toLowerCase();
  if (t.isEmpty() || l == '-' || l == 'null' || l == 'n/a') return null;
  return t;
}
boolean ipv4(String t) {
  int dots = 0;
  for (int i = 0; i < t.length(); i++) {
    char c = t.charAt(i);
    if (c == (char) '.') dots++;
    else if (!Character.isDigit(c)) return false;
  }
  return dots == 3;
}
boolean loopback(String t) {
  return t == '::1' || t == 'localhost' || t == 'localhost.localdomain' || t == '0:0:0:0:0:0:0:1' || t.startsWith('127.');
}
String ip(String t) {
  if (t.startsWith('::ffff:') && ipv4(t.substring(7))) t = t.substring(7);
  if (t.startsWith('[') && t.endsWith(']')) t = t.substring(1, t.length() - 1);
  return loopback(t) ? null : t;
}
String normalised(String v, String form) {
  String t = v.toLowerCase();
  if (form == 'user') {
    int slash = t.indexOf('\\\\');
    if (slash >= 0) { t = t.substring(slash + 1); return t.isEmpty() ? null : t; }
    int at = t.lastIndexOf('@');
    return at > 0 ? t.substring(0, at) : t;
  }
  if (form == 'ip') return ip(t);
  if (t.startsWith('\\\\\\\\')) t = t.substring(2);
  if (ipv4(t) || t.indexOf(':') >= 0 || t.startsWith('[')) return ip(t);
  if (loopback(t)) return null;
  if (t.endsWith('$')) t = t.substring(0, t.length() - 1);
  int dot = t.indexOf('.');
  String s = dot > 0 ? t.substring(0, dot) : t;
  return s.isEmpty() ? null : s;
}
String entity(def doc, def rule) {
  if (rule.stamp != null) { String s = present(doc, rule.stamp); if (s != null) return s; }
  for (String f : rule.folded) { String v = present(doc, f); if (v != null) return v.toLowerCase(); }
  for (String f : rule.fields) { String v = present(doc, f); if (v != null) return normalised(v, rule.form); }
  return null;
}
`;

/** A composite terms source's script: the document's entity under `rule`. */
export function entityTermsScript(rule: EntityValueRule): Record<string, unknown> {
  return { lang: 'painless', source: `${ENTITY_SCRIPT}\nreturn entity(doc, params.rule);`, params: { rule } };
}

/** A query clause: documents whose entity under `rule` is `value`. */
export function entityEqualsQuery(rule: EntityValueRule, value: string): Record<string, unknown> {
  return { script: { script: { lang: 'painless', source: `${ENTITY_SCRIPT}\nString e = entity(doc, params.rule); return e != null && e == params.value;`, params: { rule, value } } } };
}
