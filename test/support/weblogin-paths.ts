// The web-login documents the format-path tests ship (test/weblogin-*.os.test.ts), and what they check of the takeover.
import { expect } from 'vitest';
import { docId, type Doc, type PathsRun } from './format-paths.js';
import { takeoverLogin, webloginRecords } from './weblogin-fixture.js';

/** The shipper's @timestamp: the login's own time (nanoseconds since the epoch), as a date. */
const shipped = (login: Record<string, unknown>): Doc => ({ '@timestamp': new Date(Number(BigInt(login.timestamp as string) / 1_000_000n)).toISOString(), ...login });

/**
 * Two working days after the model's 14 training days, user7's account taken over on the first at 03:00, and one
 * login whose user the identity provider left out, in time order: the records, the documents a shipper sends (with its
 * @timestamp) and the takeover's index.
 */
export function webloginPathDocs(): { logins: Record<string, unknown>[]; docs: Doc[]; takeover: number } {
  const logins = [...webloginRecords(2, 14), takeoverLogin(14), { ...webloginRecords(1, 15)[0]!, userID: '' }]
    .sort((a, b) => (BigInt(a.timestamp as string) < BigInt(b.timestamp as string) ? -1 : 1));
  const docs = logins.map(shipped);
  return { logins, docs, takeover: docs.findIndex((d) => d.userID === 'user7' && d.userAgent === takeoverLogin().userAgent) };
}

/** The takeover's raw score is above every other login's on each path. */
export function expectTakeoverFirst(run: PathsRun, takeover: number): void {
  for (const path of ['proxy', 'pipeline', 'enrich'] as const) {
    const raw = (i: number) => run.stored[path].get(docId(i))!.source.anomaly.raw as number;
    const others = run.readings.flatMap((r, i) => ('event' in r && i !== takeover ? [raw(i)] : []));
    expect(raw(takeover), path).toBeGreaterThan(Math.max(...others));
  }
}
