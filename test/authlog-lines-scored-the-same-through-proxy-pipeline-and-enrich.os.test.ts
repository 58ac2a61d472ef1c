// Linux auth.log lines shipped as `{"@timestamp", "message": <the raw line>}` (a file-tailing shipper: Filebeat,
// Fluent Bit, Vector) reach the scorer through the _bulk proxy (restarted half-way), the seqsentry-score ingest
// pipeline (ML Commons) and enrich, and end with the same anomaly fields; lines of no authentication are stored on
// every path with anomaly.error; the entity lives inside the text, so after the restart the proxy refills history by
// the stamped anomaly.entity and anomaly.time.
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { shared } from './support/env.js';
import { expectErrorsKept, expectEveryDocumentOnce, expectSameScores, firstEventsAfterRestart, PATH_TOLERANCE, shipThroughEveryPath, type Doc, type PathsRun } from './support/format-paths.js';
import { shippedLine } from './support/authlog-shipped.js';
import { authlogModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

// Lines 701-1000 of the real sample (28 March, 09:34 to 19:02): brute force, the owner's publickey logins, sudo, su, CRON.
const docs: Doc[] = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8').split('\n').slice(700, 1000).map(shippedLine);

let run: PathsRun;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url) return;
  run = await shipThroughEveryPath(url, 'authlog', await authlogModel(), docs, '2024-01-01T00:00:00Z');
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('auth.log documents through proxy, ingest pipeline and enrich', () => {
  it('each path stores every document once, as shipped, with the anomaly fields added', () => {
    expect(docs).toHaveLength(300);
    expectEveryDocumentOnce(run, docs);
  });

  it('gives every authentication line the same score, raw score, explanation and stamps on every path', () => {
    expect(expectSameScores(run)).toBe(298);
  });

  it('stores the lines of no authentication with anomaly.error naming why, unscored', () => {
    expect(expectErrorsKept(run)).toEqual(['su terminal line (repeats the su line before it)', 'pam_systemd su message of no authentication']);
  });

  it('refills history after the restart by anomaly.entity and anomaly.time: without the stamps the same events score otherwise', () => {
    const first = firstEventsAfterRestart(run);
    expect(first.map((f) => f.entity)).toContain('?'); // lines naming no user (preauth disconnects) are one entity too
    expect(first.length).toBeGreaterThan(3);
    for (const f of first) expect(f.moved, `${f.entity} ${f.doc}`).toBeGreaterThan(PATH_TOLERANCE);
  });
});
