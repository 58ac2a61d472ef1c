// A client that closes its connection before its request body is complete (a shipper's timeout, a killed process)
// failed its own request: the sidecar counts it as 499, never as an internal error (which would page on-call), and
// goes on serving.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

let sidecar: Sidecar;
beforeAll(async () => {
  sidecar = await startTestSidecar();
});
afterAll(async () => {
  await sidecar?.shutdown();
});

/** Sends the headers of a `_bulk` of 10,000 bytes and 100 of them, then closes the connection. */
async function hangUp(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST /_bulk HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/x-ndjson\r\ncontent-length: 10000\r\n\r\n`);
      socket.write(`{"index":{"_index":"logs"}}\n{"message":"${'x'.repeat(60)}`);
      setTimeout(() => socket.destroy(), 100);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe('a client that hangs up mid-body', () => {
  it('is counted as 499 and not as an internal error, and the sidecar keeps serving', async () => {
    for (let i = 0; i < 3; i++) await hangUp(sidecar.url);
    await new Promise((r) => setTimeout(r, 200));
    const metrics = (await call(sidecar.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/seqsentry_http_requests_total\{route="\/_bulk",status="499"\} 3/);
    expect(metrics).not.toMatch(/seqsentry_errors_total\{kind="internal"\} [1-9]/);
    expect(metrics).not.toMatch(/status="500"/);
    expect((await call(sidecar.url, 'POST', '/v1/score', { body: habitualLogon(1) })).status).toBe(200);
  });
});
