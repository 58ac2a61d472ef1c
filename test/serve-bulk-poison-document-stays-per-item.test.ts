// A document nested 6,000 deep that carries anomaly keys is rewritten without recursion: the bulk is forwarded
// whole, the poison document with its anomaly keys replaced and the rest of its bytes as sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;

beforeAll(async () => {
  upstream = await startUpstream();
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

describe('bulk proxy with a deeply nested document', () => {
  it('forwards every document, the deep one with its anomaly keys replaced in place', async () => {
    const deep = `{"a":${'{"b":'.repeat(6_000)}1${'}'.repeat(6_000)}}`;
    const poison = `{"anomaly_score":0.1,${JSON.stringify(habitualLogon(1)).slice(1, -1)},"anomaly.error":"x","deep":${deep}}`;
    const lines = ['{"index":{}}', JSON.stringify(habitualLogon(2)), '{"index":{}}', poison, '{"index":{}}', JSON.stringify(habitualLogon(3))];
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body: lines.join('\n') + '\n' });
    expect(res.status).toBe(200);
    const forwarded = upstream.requests[0]!.body.split('\n');
    expect(forwarded).toHaveLength(7);
    const rewritten = forwarded[3]!;
    expect(rewritten).toContain(`"deep":${deep}`);
    const doc = JSON.parse(rewritten);
    expect(doc.anomaly_score).toBeTypeOf('number');
    expect(doc.anomaly_score).not.toBe(0.1);
    expect(doc['anomaly.error']).toBeUndefined();
    expect(rewritten.match(/"anomaly_score"/g)).toHaveLength(1);
    expect(JSON.parse(forwarded[5]!).anomaly_score).toBeTypeOf('number');
  });
});
