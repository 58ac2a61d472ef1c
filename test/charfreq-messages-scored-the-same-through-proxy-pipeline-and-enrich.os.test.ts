// A charfreq bundle behind the three paths against the real OpenSearch: auth.log lines shipped as
// `{"@timestamp", "message"}` reach charfreq through the _bulk proxy (restarted half-way), the seqsentry-score ingest
// pipeline (ML Commons) and enrich, and every message gets the same score and explanation on every path; a line
// with an injected negative term is stored as an anomaly, the term named in anomaly.fields.
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { shippedLine } from './support/authlog-shipped.js';
import { eventsOf, SAMPLES, trainCharfreqOn } from './support/charfreq-fixture.js';
import { expectEveryDocumentOnce, expectSameScores, PATHS, shipThroughEveryPath, docId, type Doc, type PathsRun } from './support/format-paths.js';
import { requireOpenSearch } from './support/opensearch.js';

let run: PathsRun;
let docs: Doc[];
let injected: number;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url) return;
  const { modelDir, rest } = await trainCharfreqOn(SAMPLES.ubuntu);
  // 200 lines the model never saw, one of them with a negative term appended (still an authentication line).
  const lines = rest.slice(0, 200);
  injected = lines.findIndex((l) => eventsOf([l])[0]?.event.text?.startsWith('Accepted publickey'));
  lines[injected] += ' segfault';
  docs = lines.map(shippedLine);
  run = await shipThroughEveryPath(url, 'charfreq', modelDir, docs, '2024-01-01T00:00:00Z');
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('charfreq through proxy, ingest pipeline and enrich', () => {
  it('each path stores every document once, as shipped, with the anomaly fields added', () => {
    expectEveryDocumentOnce(run, docs);
  });

  it('gives every message the same score, raw score and explanation on every path', () => {
    expect(expectSameScores(run)).toBe(eventsOf(docs.map((d) => d.message as string)).length);
  });

  it('stores the injected line as an anomaly on every path, naming the term', () => {
    expect(injected).toBeGreaterThanOrEqual(0);
    for (const path of PATHS) {
      const { anomaly_score: score, anomaly } = run.stored[path].get(docId(injected))!.source;
      expect(score, path).toBeGreaterThanOrEqual(anomaly.threshold ?? 0.999);
      expect(anomaly.is_anomaly, path).toBe(true);
      expect(anomaly.model.kind, path).toBe('charfreq');
      expect(anomaly.fields[0], path).toMatchObject({ name: 'negative_term', value: 'segfault' });
    }
  });
});
