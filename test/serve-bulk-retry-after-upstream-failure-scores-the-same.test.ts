// A bulk that OpenSearch could not take is sent again by the shipper: the retry is scored with the history the
// first attempt saw (its events were taken back out), so it gets the scores a single successful attempt gets.
import { describe, expect, it } from 'vitest';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream } from './support/sidecar-fixture.js';

const DAY = 86_400_000;
// Two days of 4 users after the fixture model's training days: each user's later logons have earlier ones as context.
const docs = ecsDocs({ users: 4, days: 2, perDay: 5, seed: 77, startMs: FIXTURE_START_MS + 14 * DAY });
const body = ndjson(...docs.flatMap((d) => [{ index: { _index: 'logs' } }, d]));
const scoresIn = (forwarded: string): number[] =>
  forwarded.trim().split('\n').filter((_, i) => i % 2 === 1).map((line) => JSON.parse(line).anomaly_score as number);

describe('bulk retry after an upstream failure', () => {
  it('scores the retried documents exactly as a first successful attempt', async () => {
    let first = true;
    const flaky = await startUpstream((_req, res) => {
      if (first) {
        first = false;
        res.socket?.destroy(); // OpenSearch drops the connection: nothing written
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"took":1,"errors":false,"items":[]}');
    });
    const steady = await startUpstream();
    const retried = await startTestSidecar({ 'opensearch.url': flaky.url });
    const once = await startTestSidecar({ 'opensearch.url': steady.url });
    try {
      expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(502);
      expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(200);
      expect((await call(once.url, 'POST', '/_bulk', { body })).status).toBe(200);
      const afterRetry = scoresIn(flaky.requests[1]!.body);
      const single = scoresIn(steady.requests[0]!.body);
      expect(afterRetry).toHaveLength(docs.length);
      expect(afterRetry).toEqual(single);
      // The context matters here: the same documents scored with themselves already in the history differ.
      expect((await call(once.url, 'POST', '/_bulk', { body })).status).toBe(200);
      expect(scoresIn(steady.requests[1]!.body)).not.toEqual(single);
    } finally {
      await Promise.all([retried.shutdown(), once.shutdown()]);
      await Promise.all([flaky.close(), steady.close()]);
    }
  });
});
