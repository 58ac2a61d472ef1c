// Web logins' default kind (lstm-lm, models/kinds.json default_by_format) through the _bulk proxy (restarted
// half-way), the seqsentry-score ingest pipeline (ML Commons) and enrich: every login ends with the same anomaly
// fields on every path, the login without a user is kept with its error, and the takeover ranks first on each path.
// lstm-lm reads no context, so the fused memory's recall is what the paths' history feeds; the refill by stamps
// against an empty history is checked with the contextual kind (weblogin-logins-scored-the-same-through-...).
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { defaultKindFor } from '../src/model/kinds.js';
import { expectErrorsKept, expectEveryDocumentOnce, expectSameScores, shipThroughEveryPath, type PathsRun } from './support/format-paths.js';
import { webloginModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { expectTakeoverFirst, webloginPathDocs } from './support/weblogin-paths.js';

const { docs, takeover } = webloginPathDocs();

let url = '';
let run: PathsRun;

beforeAll(async () => {
  url = inject('opensearchUrl');
  if (!url) return;
  expect(defaultKindFor('weblogin')).toBe('lstm-lm');
  run = await shipThroughEveryPath(url, 'weblogin-lstm', await webloginModel('lstm-lm'), docs, '2024-01-01T00:00:00Z');
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('web logins scored by their default kind on every path', () => {
  it('stores every document once on each path, with the same anomaly fields everywhere', () => {
    expectEveryDocumentOnce(run, docs);
    expect(expectSameScores(run)).toBe(docs.length - 1);
  });

  it('keeps the login without a user, unscored, with its error', () => {
    expect(expectErrorsKept(run)).toEqual([expect.stringMatching(/^field userID: no user id/)]);
  });

  it('ranks the takeover above every usual login on every path', () => {
    expectTakeoverFirst(run, takeover);
  });
});
