// `seqsentry serve` with a charfreq bundle: POST /v1/score takes auth.log lines, scores them through the same scorer
// path as the ONNX kinds, and answers with charfreq's explanation: the negative terms and unusual characters found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { startSidecar, type Sidecar } from '../src/server/sidecar.js';
import { eventsOf, SAMPLES, trainCharfreqOn } from './support/charfreq-fixture.js';
import { hasSharedData } from './support/env.js';
import { call, TOKEN } from './support/sidecar-fixture.js';

describe.runIf(hasSharedData())('the sidecar with a charfreq bundle', () => {
  let sidecar: Sidecar;
  let rest: string[];

  beforeAll(async () => {
    const split = await trainCharfreqOn(SAMPLES.ubuntu);
    rest = split.rest;
    const config = loadServeConfig({
      env: { SEQSENTRY_TOKEN: TOKEN },
      overrides: { model_dir: split.modelDir, 'listen.port': 0, 'opensearch.url': 'http://127.0.0.1:9', 'history.refill': false, 'history.reorder_window_ms': 0, 'batching.max_delay_ms': 5, 'explanation.full_above': 0 },
    });
    sidecar = await startSidecar(config);
  }, 120_000);
  afterAll(() => sidecar?.shutdown());

  it('scores auth.log lines through /v1/score and names the injected term and characters', async () => {
    const events = eventsOf(rest);
    const normal = events.slice(0, 50).map((e) => e.line);
    const accepted = events.find((e) => e.event.text?.startsWith('Accepted publickey'))!.line;
    const lines = [...normal, `${accepted} segfault`, `${accepted} \${jndi:ldap}`];
    const res = await call(sidecar.url, 'POST', '/v1/score', { body: { format: 'authlog', records: lines } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.model).toMatchObject({ kind: 'charfreq', name: 'seqsentry-charfreq' });
    const results = res.json.results as Array<{ anomaly_score: number; anomaly: { fields: Array<{ name: string; value: string; surprisal: number; expected: string }> } }>;
    expect(results).toHaveLength(lines.length);
    const [term, chars] = results.slice(-2) as [(typeof results)[number], (typeof results)[number]];
    const normalMax = Math.max(...results.slice(0, -2).map((r) => r.anomaly_score));
    expect(term.anomaly_score).toBeGreaterThan(normalMax);
    expect(chars.anomaly_score).toBeGreaterThan(normalMax);
    expect(term.anomaly.fields[0]).toMatchObject({ name: 'negative_term', value: 'segfault', expected: expect.stringMatching(/^in 0 of \d+ messages of ip-10-77-20-248 sshd$/) });
    expect(chars.anomaly.fields.filter((f) => f.name === 'unusual_character').map((f) => f.value)).toEqual(expect.arrayContaining(['$', '{', '}']));
  });
});
