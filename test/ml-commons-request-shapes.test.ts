// The ML Commons route reads exactly what the connector's request_body sends and answers what output_map reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mlContext } from './support/ml-context.js';
import { handleMlCommons, parseMlBody } from '../src/server/routes/ml-commons.js';
import type { AnomalyFields } from '../src/service/anomaly-fields.js';
import type { ScoreRequest, ScoringService } from '../src/service/scoring-service.js';
import { REPO_ROOT } from './support/env.js';

const MODEL = { name: 'seqsentry-transformer-mlm', version: '20260101T000000Z', kind: 'transformer-mlm' };

/** Stands in for the scoring service: records each request and answers like it (score or anomaly.error). */
function recordingScoring(answer: (r: ScoreRequest) => AnomalyFields | Error) {
  const seen: ScoreRequest[] = [];
  const scoring = {
    async score(reqs: ScoreRequest[]): Promise<AnomalyFields[]> {
      seen.push(...reqs);
      return reqs.map((r) => {
        const a = answer(r);
        if (a instanceof Error) throw a;
        return a;
      });
    },
  } as unknown as ScoringService;
  return { scoring, seen };
}

const scored: AnomalyFields = {
  anomaly_score: 0.987654321,
  anomaly: {
    raw: 4.25,
    fields: [{ name: 'dst_host', value: 'db01', surprisal: 7.5, expected: 'fs01' }],
    model: MODEL,
    threshold: 0.99,
    is_anomaly: false,
    scored_at: '2026-01-05T08:00:00.000Z',
  },
};

const connector = JSON.parse(readFileSync(join(REPO_ROOT, 'pipelines/ml/seqsentry-sidecar.connector.json'), 'utf8'));
const pipeline = JSON.parse(readFileSync(join(REPO_ROOT, 'pipelines/ingest/seqsentry-score.json'), 'utf8'));

/**
 * What ML Commons 2.19 sends for one ingest document (checked on a 2.19.6 node): ml_inference turns every input_map
 * value into a string (objects as JSON), and the connector substitutes `${parameters.x}` into request_body; the
 * document "$" carries the ingest metadata (_index, _id, _version, _version_type) next to the source.
 */
function connectorBody(index: string, source: Record<string, unknown>): string {
  const doc = JSON.stringify({ ...source, _index: index, _id: 'abc', _version: -3, _version_type: 'internal' });
  return String(connector.actions[0].request_body).replace('${parameters.index}', index).replace('${parameters.doc}', doc);
}

const event = { '@timestamp': '2026-01-05T08:00:00Z', user: { name: 'user01' }, host: { name: 'db01' }, message: 'a "quoted"\nline' };

describe('ML Commons request shapes', () => {
  it('parses the connector body, drops ingest metadata and scores with the index as history scope', async () => {
    const { scoring, seen } = recordingScoring(() => scored);
    const body = JSON.parse(connectorBody('seqsentry-auth-2026.01.05', event));
    const res = await handleMlCommons(body, mlContext(scoring, 'default'));
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.scope).toBe('seqsentry-auth-2026.01.05');
    expect(seen[0]!.record).toEqual(event);
  });

  it('answers with exactly the keys the pipeline output_map reads', async () => {
    const { scoring } = recordingScoring(() => scored);
    const res = await handleMlCommons(JSON.parse(connectorBody('i', event)), mlContext(scoring, 'd'));
    const outputMap = pipeline.processors[0].ml_inference.output_map[0] as Record<string, string>;
    const answer = res.body as Record<string, unknown>;
    for (const modelField of Object.values(outputMap)) expect(answer).toHaveProperty(modelField);
    expect(answer).toEqual({ anomaly_score: 0.987654321, anomaly: scored.anomaly });
  });

  it('accepts the document as a JSON string and the whole body as a string', async () => {
    const { scoring, seen } = recordingScoring(() => scored);
    const asString = { index: 'idx-1', doc: JSON.stringify(event) };
    expect((await handleMlCommons(asString, mlContext(scoring, 'd'))).status).toBe(200);
    expect((await handleMlCommons(connectorBody('idx-2', event), mlContext(scoring, 'd'))).status).toBe(200);
    expect(seen.map((r) => [r.scope, r.record])).toEqual([['idx-1', event], ['idx-2', event]]);
  });

  it('falls back to the document _index, then the default scope, when the index parameter was not mapped', () => {
    const viaMeta = parseMlBody({ index: '${parameters.index}', doc: { _index: 'from-meta', a: 1 } });
    expect(viaMeta).toEqual({ record: { a: 1 }, index: 'from-meta' });
    expect(parseMlBody({ doc: { a: 1 } })).toEqual({ record: { a: 1 }, index: undefined });
  });

  it('passes a document that is not JSON through as a text record', () => {
    expect(parseMlBody({ index: 'syslog-1', doc: 'Jan  5 08:00:00 host sshd[1]: Accepted password for bob' })).toEqual({
      record: 'Jan  5 08:00:00 host sshd[1]: Accepted password for bob',
      index: 'syslog-1',
    });
  });

  it('writes an unreadable event as anomaly.error with anomaly_score null, so output_map still finds the key', async () => {
    const { scoring } = recordingScoring(() => ({ anomaly: { model: MODEL, scored_at: '2026-01-05T08:00:00.000Z', error: 'ml_inference:i:1: not a timestamp' } }));
    const res = await handleMlCommons(JSON.parse(connectorBody('i', { user: { name: 'x' } })), mlContext(scoring, 'd'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ anomaly_score: null, anomaly: { model: MODEL, scored_at: '2026-01-05T08:00:00.000Z', error: 'ml_inference:i:1: not a timestamp' } });
  });

  it('fails the call (503) when the scorer fails, so the pipeline failure path runs and enrich retries later', async () => {
    const { scoring } = recordingScoring(() => new Error('onnx session closed'));
    const res = await handleMlCommons(JSON.parse(connectorBody('i', event)), mlContext(scoring, 'd'));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'scoring failed: onnx session closed' });
  });

  it('rejects a body that is not the connector shape with 400 naming the problem', async () => {
    const { scoring, seen } = recordingScoring(() => scored);
    const missingDoc = await handleMlCommons({ index: 'i' }, mlContext(scoring, 'd'));
    expect(missingDoc.status).toBe(400);
    expect(String((missingDoc.body as { error: string }).error)).toMatch(/doc/);
    expect((await handleMlCommons('not json', mlContext(scoring, 'd'))).status).toBe(400);
    expect(seen).toHaveLength(0);
  });
});
