// Bearer-token check in constant time: 401 without credentials, 403 with a token that is not accepted (for the
// route's role: scoring tokens and admin tokens are two separate sets, so neither can do the other's work).
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-errors.js';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="seqsentry"' };

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Accepts `Authorization: Bearer <token>`, and `Basic` with the token as password for shippers that only speak
 * basic auth (Fluent Bit, Logstash). Comparing fixed-length digests keeps the time independent of where tokens
 * differ and of their length; every token is compared, so the time does not say which one matched.
 */
export class TokenAuth {
  private readonly digests: Buffer[];
  private readonly adminDigests: Buffer[];
  /** `tokens` and the score-only ones: what a scoring route that writes nothing accepts. */
  private readonly scoringDigests: Buffer[];

  /**
   * `tokens` may score and ship; `adminTokens` may only call the admin routes (a model reload); `scoreTokens` may only
   * call the scoring routes that write nothing (an authentication server's /v1/risk, ML Commons' /v1/ml/score).
   */
  constructor(tokens: readonly string[], adminTokens: readonly string[] = [], scoreTokens: readonly string[] = []) {
    this.digests = tokens.map(digest);
    this.adminDigests = adminTokens.map(digest);
    this.scoringDigests = [...this.digests, ...scoreTokens.map(digest)];
  }

  /** Throws HttpError 401/403 unless the request carries an admin token. */
  checkAdmin(header: string | undefined): void {
    if (this.adminDigests.length === 0) throw new HttpError(403, 'security_exception', 'no admin token is configured (auth.admin_tokens): the admin routes are closed', 'auth');
    matchToken(header, this.adminDigests, 'the bearer token is not an admin token');
  }

  /** Whether the request carries an admin token (for a route that tells an admin more than a shipper). */
  isAdmin(header: string | undefined): boolean {
    if (this.adminDigests.length === 0) return false;
    try {
      matchToken(header, this.adminDigests, '');
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the request carries an accepted token (for open routes that tell more to an authenticated caller). */
  accepts(header: string | undefined): boolean {
    try {
      this.check(header);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Throws HttpError 401/403; returns when the request carries an accepted token. `scoringOnly`: the route scores and
   * writes nothing, so a score-only token is accepted too.
   */
  check(header: string | undefined, scoringOnly = false): void {
    matchToken(header, scoringOnly ? this.scoringDigests : this.digests, scoringOnly ? 'the bearer token is not accepted' : 'the bearer token is not accepted here (a score-only token may call /v1/score, /v1/risk and /v1/ml/score only)');
  }
}

function matchToken(header: string | undefined, digests: readonly Buffer[], refusal: string): void {
  const presented = tokenOf(header);
  if (presented === null) throw new HttpError(401, 'security_exception', 'missing bearer token: send Authorization: Bearer <token>', 'auth', CHALLENGE);
  const d = digest(presented);
  let ok = false;
  for (const known of digests) ok = timingSafeEqual(d, known) || ok;
  if (!ok) throw new HttpError(403, 'security_exception', refusal, 'auth');
}

function tokenOf(header: string | undefined): string | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (!value) return null;
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
  }
  return null;
}
