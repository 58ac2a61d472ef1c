// A bulk that OpenSearch could not take is sent again by the shipper: the retry is scored with the history the
// first attempt saw (its events were taken back out), so it gets the scores a single successful attempt gets, and
// the daily alert budget counts it once, so it flags what a single successful attempt flags.
import { describe, expect, it } from 'vitest';
import { ecsDocs, FIXTURE_START_MS, outOfHabitLogon } from './support/ecs-fixture.js';
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

  // OpenSearch answered, but with an error status passed through to the shipper (nothing of the bulk written).
  it.each([500, 413])('scores the retry of a bulk OpenSearch answered %i the same as a clean send', async (status) => {
    let first = true;
    const failing = await startUpstream((_req, res) => {
      const code = first ? status : 200;
      first = false;
      res.writeHead(code, { 'content-type': 'application/json' }).end(code === 200 ? '{"took":1,"errors":false,"items":[]}' : `{"error":{"type":"x","reason":"x"},"status":${code}}`);
    });
    const steady = await startUpstream();
    const retried = await startTestSidecar({ 'opensearch.url': failing.url });
    const once = await startTestSidecar({ 'opensearch.url': steady.url });
    try {
      expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(status);
      expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(200);
      expect((await call(once.url, 'POST', '/_bulk', { body })).status).toBe(200);
      expect(scoresIn(failing.requests[1]!.body)).toEqual(scoresIn(steady.requests[0]!.body));
    } finally {
      await Promise.all([retried.shutdown(), once.shutdown()]);
      await Promise.all([failing.close(), steady.close()]);
    }
  });

  it('counts a retried bulk once in the daily budget: after 429s it flags what a clean send flags', async () => {
    // 20 users' habitual logons and each one's out-of-habit logon within a day: more pass the threshold than the
    // budget lets through, so a window that counted each attempt would have spent its flags on the failed ones.
    const day = FIXTURE_START_MS + 7 * DAY;
    const docs = [...ecsDocs({ users: 20, days: 1, perDay: 6, seed: 5, startMs: day }), ...Array.from({ length: 20 }, (_, u) => outOfHabitLogon(u, day))];
    const body = ndjson(...docs.flatMap((d) => [{ index: { _index: 'logs' } }, d]));
    let refusals = 3;
    const busy = await startUpstream((_req, res) => {
      if (refusals-- > 0) return void res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":{"type":"es_rejected_execution_exception","reason":"busy"},"status":429}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"took":1,"errors":false,"items":[]}');
    });
    const steady = await startUpstream();
    const settings = { 'budget.rate': 0.05, 'explanation.full_above': 0 };
    const retried = await startTestSidecar({ ...settings, 'opensearch.url': busy.url });
    const once = await startTestSidecar({ ...settings, 'opensearch.url': steady.url });
    const flagsIn = (forwarded: string) => forwarded.trim().split('\n').filter((_, i) => i % 2 === 1).map((line) => JSON.parse(line).anomaly.is_anomaly as boolean);
    try {
      for (let attempt = 0; attempt < 3; attempt++) expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(429);
      expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(200);
      expect((await call(once.url, 'POST', '/_bulk', { body })).status).toBe(200);
      const single = flagsIn(steady.requests[0]!.body);
      expect(single.filter(Boolean).length, 'the clean send flags some').toBeGreaterThan(0);
      expect(flagsIn(busy.requests[3]!.body)).toEqual(single);
      expect(scoresIn(busy.requests[3]!.body)).toEqual(scoresIn(steady.requests[0]!.body));
    } finally {
      await Promise.all([retried.shutdown(), once.shutdown()]);
      await Promise.all([busy.close(), steady.close()]);
    }
  });

  it('takes the items OpenSearch failed inside a 200 answer out of the history, and only those', async () => {
    // Fewer events per user than the history keeps, so that no row is trimmed off and the two paths can agree.
    const docs = ecsDocs({ users: 4, days: 1, perDay: 5, seed: 78, startMs: FIXTURE_START_MS + 14 * DAY });
    const body = ndjson(...docs.flatMap((d) => [{ index: { _index: 'logs' } }, d]));
    // First answer: every odd item failed (429 / 503 / 400 mixed), the even ones were written.
    let first = true;
    const statuses = docs.map((_, i) => (i % 2 === 0 ? 201 : [429, 503, 400][i % 3]!));
    const partial = await startUpstream((_req, res) => {
      const items = first ? statuses.map((s) => ({ index: { _index: 'logs', status: s, ...(s > 201 ? { error: { type: 'x', reason: 'x' } } : {}) } })) : [];
      first = false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: items.length > 0, items }));
    });
    const steady = await startUpstream();
    const retried = await startTestSidecar({ 'opensearch.url': partial.url });
    const once = await startTestSidecar({ 'opensearch.url': steady.url });
    try {
      expect((await call(retried.url, 'POST', '/_bulk', { body })).status).toBe(200);
      // The shipper retries the failed items only; a clean send writes the written ones, then those.
      const failedDocs = docs.filter((_, i) => statuses[i] !== 201);
      const written = docs.filter((_, i) => statuses[i] === 201);
      const retryBody = ndjson(...failedDocs.flatMap((d) => [{ index: { _index: 'logs' } }, d]));
      expect((await call(retried.url, 'POST', '/_bulk', { body: retryBody })).status).toBe(200);
      expect((await call(once.url, 'POST', '/_bulk', { body: ndjson(...written.flatMap((d) => [{ index: { _index: 'logs' } }, d])) })).status).toBe(200);
      expect((await call(once.url, 'POST', '/_bulk', { body: retryBody })).status).toBe(200);
      expect(scoresIn(partial.requests[1]!.body)).toEqual(scoresIn(steady.requests[1]!.body));
    } finally {
      await Promise.all([retried.shutdown(), once.shutdown()]);
      await Promise.all([partial.close(), steady.close()]);
    }
  });
});
