// Syslog lines of every program shipped as `{"@timestamp", "message": <the raw line>}` reach the scorer through the
// _bulk proxy (restarted half-way), the seqsentry-score ingest pipeline (ML Commons) and enrich, and end with the same
// anomaly fields: the bundle's template table (adapter_options) gives every path the same template ids, so a host's
// template sequence scores alike wherever its events arrive; no line is left unscored.
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { shared } from './support/env.js';
import { expectErrorsKept, expectEveryDocumentOnce, expectSameScores, shipThroughEveryPath, type Doc, type PathsRun } from './support/format-paths.js';
import { shippedLine } from './support/authlog-shipped.js';
import { syslogModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

// Lines 701-1000 of the real sample (28 March, 09:34 to 19:02): brute force, the owner's logins, sudo, su, CRON and
// the lines auth.log skips (su's terminal lines, pam_systemd).
const docs: Doc[] = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8').split('\n').slice(700, 1000).map(shippedLine);

let run: PathsRun;
let modelDir: string;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url) return;
  modelDir = await syslogModel();
  run = await shipThroughEveryPath(url, 'syslog', modelDir, docs, '2024-01-01T00:00:00Z');
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('syslog documents through proxy, ingest pipeline and enrich', () => {
  it('each path stores every document once, as shipped, with the anomaly fields added', () => {
    expect(docs).toHaveLength(300);
    expectEveryDocumentOnce(run, docs);
  });

  it('scores every line alike on every path, and none is left with an error', () => {
    expect(expectSameScores(run)).toBe(300);
    expect(expectErrorsKept(run)).toEqual([]);
  });

  it('reads the stored documents\' templates from the bundle: the same ids the scorer was trained on', () => {
    const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
    const ids = new Set((bundle.adapter_options.templates.templates as Array<{ id: string }>).map((t) => t.id));
    const seen = run.readings.map((r) => ('event' in r ? (r.event.fields[4] as string) : 'none'));
    // the sample is the training file itself: the shapes of these lines were mined (from the hours not held out)
    expect(seen.every((id) => ids.has(id))).toBe(true);
    expect(new Set(seen).size).toBeGreaterThan(10);
  });
});
