// Logins that reach /v1/risk together share one ONNX call (the scoring service cuts its batch at the end of the
// event loop's turn, and calls of up to 16 logins run on the loop's own session), and every risk score is the one a
// plain recomputation gives: a fresh scorer, one login per call, in each user's order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { Scorer } from '../src/scorer/scorer.js';
import { ServerMetrics } from '../src/server/metrics.js';
import { handleRisk } from '../src/server/routes/risk.js';
import { storedScore } from '../src/service/anomaly-fields.js';
import { ScoringService } from '../src/service/scoring-service.js';
import { hasBuild, hasPython } from './support/env.js';
import { webloginLstmAeModel } from './support/model-fixture.js';
import { ATTACKER, PHONE, webloginRecords } from './support/weblogin-fixture.js';

/** Each user's logins of three working days in the login-risk shape; every fifth user's last one a takeover. */
function rounds(): Array<Array<Record<string, unknown>>> {
  const byUser = new Map<string, Array<Record<string, unknown>>>();
  for (const { userAgent, timestamp, userID, location } of webloginRecords(3, 15)) {
    const list = byUser.get(userID as string) ?? [];
    list.push({ userAgent, timestamp, userID, location });
    byUser.set(userID as string, list);
  }
  const users = [...byUser.values()];
  users.forEach((logins, u) => {
    if (u % 5 === 0) Object.assign(logins[logins.length - 1]!, { location: ATTACKER, userAgent: PHONE });
  });
  return Array.from({ length: users[0]!.length }, (_, r) => users.map((logins) => logins[r]!));
}

describe.runIf(hasPython() && hasBuild())('/v1/risk logins sent together', () => {
  let modelDir: string;
  let served: Scorer;
  let fresh: Scorer;

  beforeAll(async () => {
    modelDir = await webloginLstmAeModel();
    [served, fresh] = await Promise.all([Scorer.load(modelDir), Scorer.load(modelDir)]);
  }, 300_000);
  afterAll(() => Promise.all([served?.close(), fresh?.close()]));

  it('share one ONNX call per group and score exactly as one login per call', async () => {
    const batches: number[] = [];
    const service = new ScoringService(served, createAdapter('weblogin'), { maxBatch: 64, maxDelayMs: 5, reorderWindowMs: 2_000 }, { onBatch: (events) => batches.push(events) });
    const ctx = { scoring: service, metrics: new ServerMetrics(), defaultScope: 'logins' };
    const answered: number[] = [];
    const order: Array<Record<string, unknown>> = [];
    for (const round of rounds()) {
      // 12 users at once (a call on the event loop's session), then the other 18 (a call in the worker)
      for (const group of [round.slice(0, 12), round.slice(12)]) {
        const replies = await Promise.all(group.map((login) => handleRisk(Buffer.from(JSON.stringify(login)), ctx)));
        for (const reply of replies) {
          expect(reply.status).toBe(200);
          answered.push((reply.body as { riskScore: number }).riskScore);
        }
        order.push(...group);
      }
    }
    const groups = rounds().length * 2;
    expect(batches).toEqual(Array.from({ length: groups }, (_, g) => (g % 2 === 0 ? 12 : 18)));

    const adapter = createAdapter('weblogin');
    const recomputed: number[] = [];
    for (const [i, login] of order.entries()) {
      const [result] = await fresh.score([adapter.parse(login, { file: 'recompute', line: i + 1 })!], ['logins']);
      recomputed.push(storedScore(result!.anomaly_score));
    }
    expect(answered).toEqual(recomputed);
    // the takeovers stand out, so the comparison covers more than one end of the calibration
    expect(new Set(answered).size).toBeGreaterThan(10);
  }, 120_000);
});
