// Web logins shipped as the login JSON (the login-risk request shape) with the @timestamp a shipper adds reach the
// scorer through the _bulk proxy (restarted half-way), the seqsentry-score ingest pipeline (ML Commons) and enrich,
// and end with the same anomaly fields; a login without a user is stored on every path with anomaly.error; the time
// is in nanoseconds, not a date field, so after the restart the proxy refills history by the stamped anomaly.entity
// and anomaly.time. Enrich walks @timestamp: a login stored without one is never enriched (README, Known limits).
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { allDocs, dropCheckpoints, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { expectErrorsKept, expectEveryDocumentOnce, expectSameScores, firstEventsAfterRestart, PATH_TOLERANCE, shipThroughEveryPath, type PathsRun } from './support/format-paths.js';
import { webloginModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { expectTakeoverFirst, webloginPathDocs } from './support/weblogin-paths.js';

const { logins, docs, takeover } = webloginPathDocs();

let url = '';
let run: PathsRun;

beforeAll(async () => {
  url = inject('opensearchUrl');
  if (!url) return;
  run = await shipThroughEveryPath(url, 'weblogin', await webloginModel(), docs, '2024-01-01T00:00:00Z');
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('login documents through proxy, ingest pipeline and enrich', () => {
  it('each path stores every document once, as shipped, with the anomaly fields added', () => {
    expect(docs).toHaveLength(122);
    expectEveryDocumentOnce(run, docs);
  });

  it('gives every login the same score, raw score, explanation and stamps on every path', () => {
    expect(expectSameScores(run)).toBe(121);
  });

  it('stores a login without a user with anomaly.error naming the fields looked at, unscored', () => {
    expect(expectErrorsKept(run)).toEqual([expect.stringMatching(/^field userID: no user id \(looked at userID, userId, /)]);
  });

  it('refills history after the restart by anomaly.entity and anomaly.time: without the stamps the same logins score otherwise', () => {
    const first = firstEventsAfterRestart(run);
    expect(first).toHaveLength(30);
    for (const f of first) expect(f.moved, `${f.entity} ${f.doc}`).toBeGreaterThan(PATH_TOLERANCE);
  });

  it('ranks the takeover above every usual login on every path', () => {
    expectTakeoverFirst(run, takeover);
  });

  it('leaves a login stored without @timestamp to the proxy and ML Commons: enrich does not see it', async () => {
    const index = `seqsentry-itest-bare-logins-${process.pid}-${Date.now().toString(36)}`;
    const job = `test-bare-logins-${process.pid}`;
    try {
      await loadIndex(url, index, logins.slice(0, 3));
      await dropCheckpoints(url, job);
      const stats = await runEnrich(url, await webloginModel(), { pattern: index, job, pageSize: 50, batchSize: 64, since: '2000-01-01T00:00:00Z' });
      expect([stats.read, stats.scored, stats.unreadable]).toEqual([0, 0, 0]);
      expect([...(await allDocs(url, index)).values()].map((d) => d.source.anomaly)).toEqual([undefined, undefined, undefined]);
    } finally {
      await os(url, 'DELETE', `/${index}?ignore_unavailable=true`);
      await dropCheckpoints(url, job);
    }
  });
});
