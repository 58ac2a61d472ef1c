// The enterprise profile: the simulator's knobs (population, roles, protocols, habits, campaign mix), parsed
// with zod once where it enters (CLI flag, JSON file, library caller) and passed inside as a plain object.
// Every default reproduces the simulator as it was before profiles existed, byte for byte.
import { z } from 'zod';
import { issueKey, parseJsonText, readJsonFile } from '../config/json-input.js';
import { ConfigError } from '../core/errors.js';

const share = (max = 1) => z.number().min(0).max(max);
/** An hour window [from, to) in hours after midnight; `to` may pass 24 only in the sense of "until midnight". */
const hours = z.tuple([z.number().min(0).max(24), z.number().min(0).max(24)]).refine(([a, b]) => a < b, 'from must be before to');

export const CAMPAIGN_CLASSES = [
  'stolen-credentials', 'pass-the-hash', 'password-spray', 'admin-odd-hours', 'order-anomaly',
  'night-unusual-protocol', 'cross-role-access', 'slow-lateral', 'new-service-account',
] as const;
export type CampaignClass = (typeof CAMPAIGN_CLASSES)[number];

const CampaignSpecSchema = z.strictObject({
  /** How many independent instances of the class to run (0..8); each gets its own victim and instance id. */
  instances: z.number().int().min(0).max(8).default(1),
  /** Red-team events per instance (1..60); what one "event" means is the class's own (a hop, a logon, a run). */
  events: z.number().int().min(1).max(60).optional(),
  /** Hours after midnight [from, to) the instance starts in; default: the class's own window. */
  hours: hours.optional(),
  /** Test-day indices (0 = first test weekday) instances rotate over; default: the class's own day. */
  days: z.array(z.number().int().min(0).max(1)).min(1).optional(),
});
export type CampaignSpec = z.output<typeof CampaignSpecSchema>;

export const EnterpriseProfileSchema = z.strictObject({
  /** Number of people (12..5000). Default: round(160 × scale), so `--scale` keeps working. */
  users: z.number().int().min(12).max(5000).optional(),
  /** Fraction of people who are sysadmins (0..0.3); at least 2 when > 0. Today: 1/50. */
  sysadminShare: share(0.3).default(1 / 50),
  /** Fraction of people on the help desk (0..0.3); at least 1 when > 0. Today: 1/60. */
  helpdeskShare: share(0.3).default(1 / 60),
  /** Fraction of people who are developers (0..0.5): many app/db/lab/build servers, late and odd hours. */
  developerShare: share(0.5).default(0),
  /** Extra service accounts per 100 people (0..20), each a server polling 1–3 others on a period. */
  serviceAccountsPer100: z.number().min(0).max(20).default(0),
  /** Fraction of people whose clients authenticate over NTLM instead of Kerberos (0..1). */
  ntlmUserShare: share().default(0),
  /** Fraction of ordinary servers that accept NTLM only, beyond the two legacy servers (0..1). */
  ntlmServerShare: share().default(0),
  /** Fraction of people who roam over 2–4 workstations, one per day (0..1). */
  roamingShare: share().default(0),
  /** Fraction of people on shifts whose start hour is uniform over 24 h, night shifts included (0..1). */
  shiftShare: share().default(0),
  /** Chance (0..1) that a staff member is a weekend worker (sysadmins: at least 0.3). Today: 0.05. */
  weekendShare: share().default(0.05),
  /** Fraction of people who log on only 1–3 weekdays a week (0..1). */
  sparseShare: share().default(0),
  /** Exponent on each person's server preference weights (0.25..4): >1 concentrates on a few servers, <1 spreads. */
  serverConcentration: z.number().min(0.25).max(4).default(1),
  /** Servers only one privileged role uses (0..12 each for sysadmins and for developers). */
  restrictedServers: z.number().int().min(0).max(12).default(0),
  /**
   * The campaign mix: class → spec. Absent: today's five classes, sized to at most `maxRedFraction` of the
   * test events (loud ones shrink first). Present: exactly these classes and sizes, nothing shrunk.
   */
  campaigns: z.partialRecord(z.enum(CAMPAIGN_CLASSES), CampaignSpecSchema).optional(),
  /** Largest red-team share of test events the default mix may use (0..0.05). Today: 0.001. */
  maxRedFraction: z.number().min(0).max(0.05).default(0.001),
});

/** Input shape (every field optional) and the resolved shape the simulator reads. */
export type EnterpriseProfileInput = z.input<typeof EnterpriseProfileSchema>;
export type EnterpriseProfile = z.output<typeof EnterpriseProfileSchema>;

/** Validates a profile from any source; `source` says where it came from in the error. */
export function parseProfile(input: unknown, source = 'profile'): EnterpriseProfile {
  const parsed = EnterpriseProfileSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const why = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
  throw new ConfigError(issueKey(issue, 'profile'), `${why} (in ${source})`);
}

/** `--profile` takes inline JSON (starts with `{`) or a path to a JSON file. */
export function readProfile(fileOrJson: string): EnterpriseProfile {
  if (!fileOrJson.trimStart().startsWith('{')) return parseProfile(readJsonFile(fileOrJson, '--profile'), fileOrJson);
  const source = '--profile inline JSON';
  return parseProfile(parseJsonText(fileOrJson, '--profile', source), source);
}
