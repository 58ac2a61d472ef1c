// A login scored for /v1/risk is happening while its user waits, so the scoring service answers it at once instead
// of holding it for the reordering window that shippers' events wait in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { Scorer } from '../src/scorer/scorer.js';
import { ScoringService } from '../src/service/scoring-service.js';
import { hasBuild, hasPython } from './support/env.js';
import { webloginLstmAeModel } from './support/model-fixture.js';
import { DAY, DESKTOP, OFFICES, START } from './support/weblogin-fixture.js';

const login = (user: string, seconds: number) => ({ userID: user, timestamp: `${BigInt(seconds) * 1_000_000_000n}`, location: OFFICES[0], userAgent: DESKTOP });

describe.runIf(hasPython() && hasBuild())('logins scored "now"', () => {
  let scorer: Scorer;
  let service: ScoringService;

  beforeAll(async () => {
    scorer = await Scorer.load(await webloginLstmAeModel());
    // A window of a minute and no senders to say that nobody else may send: shippers' events wait the whole minute.
    service = new ScoringService(scorer, createAdapter('weblogin'), { maxBatch: 64, maxDelayMs: 5, reorderWindowMs: 60_000 });
  }, 300_000);
  afterAll(() => scorer?.close());

  it('answers a "now" login at once while a shipped one waits for the window', async () => {
    let shippedDone = false;
    const shipped = service.score([{ record: login('user1', START + 15 * DAY), scope: 's', source: { file: 'shipped', line: 1 } }]).then((r) => {
      shippedDone = true;
      return r;
    });
    const started = Date.now();
    const [now] = await service.score([{ record: login('user2', START + 15 * DAY + 60), scope: 's', source: { file: 'risk', line: 1 }, now: true }]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(now!.anomaly_score).toBeGreaterThanOrEqual(0);
    expect(now!.anomaly_score).toBeLessThanOrEqual(1);
    expect(shippedDone).toBe(false); // still held by the window
    await service.drain(); // a shutdown lets it go
    expect((await shipped)[0]!.anomaly_score).toBeGreaterThanOrEqual(0);
  }, 30_000);
});
