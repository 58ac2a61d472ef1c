// `seqsentry serve` with a bundle that reads the URI as byte-pair text tokens: the sidecar builds its adapter with the
// bundle's text positions, so a Zeek http request posted to /v1/score as JSON gets the score `score` gives the same
// request read from its TSV log, and the request for a URI training never saw is explained by a URI piece.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { startSidecar, type Sidecar } from '../src/server/sidecar.js';
import { asZeekJson, bpeHttpFixture, type BpeHttpFixture } from './support/bpe-http-fixture.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData } from './support/env.js';
import { call, TOKEN } from './support/sidecar-fixture.js';

describe.runIf(hasSharedData() && hasPython() && hasBuild())('the sidecar with a byte-pair text-token bundle', () => {
  let f: BpeHttpFixture;
  let sidecar: Sidecar;

  beforeAll(async () => {
    f = bpeHttpFixture(true);
    const config = loadServeConfig({
      env: { SEQSENTRY_TOKEN: TOKEN },
      overrides: { model_dir: f.model, 'listen.port': 0, 'opensearch.url': 'http://127.0.0.1:9', 'history.refill': false, 'history.reorder_window_ms': 0, 'batching.max_delay_ms': 5, 'explanation.full_above': 0 },
    });
    sidecar = await startSidecar(config);
  }, 600_000);
  afterAll(() => sidecar?.shutdown());

  it('scores each request as score does and names the unseen URI\'s piece', async () => {
    for (const [name, line] of [['real', f.real], ['injected', f.injected]] as const) {
      writeFileSync(join(f.dir, `${name}.log`), [...f.header, line].join('\n') + '\n');
      const s = runCli(['score', '--model-dir', f.model, '--input', join(f.dir, `${name}.log`), '--output', join(f.dir, `${name}.jsonl`)]);
      expect(s.status, s.stderr).toBe(0);
      const offline = JSON.parse(readFileSync(join(f.dir, `${name}.jsonl`), 'utf8').trim()) as { raw: number; fields: Array<{ field: string; value: string }> };
      // One request per record: each is scored alone, as the one-line file was.
      const res = await call(sidecar.url, 'POST', '/v1/score', { body: { format: 'zeek', records: [asZeekJson(f, line)] } });
      expect(res.status, res.text).toBe(200);
      const [served] = res.json.results as Array<{ anomaly: { raw: number; fields: Array<{ name: string; value: string }> } }>;
      expect(served?.anomaly.raw).toBeCloseTo(offline.raw, 4);
      expect(served?.anomaly.fields[0]).toMatchObject({ name: offline.fields[0]?.field, value: offline.fields[0]?.value });
      if (name === 'injected') expect(served?.anomaly.fields[0]?.name).toMatch(/^uri#[1-8]$/);
    }
  }, 120_000);
});
