// When OpenSearch gives no answer at all (a refused connection, a timeout), the client's error carries a null body;
// the history refill's error, which goes out in `anomaly.pending` and the logs, must name what happened rather than
// print that null. The port here had a listener a moment ago and has none now: a real refused connection.
import { createServer } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { OpenSearchError } from '../src/core/errors.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a history refill that got no answer', () => {
  it('names the connection error, never "null"', async () => {
    const adapter = createAdapter('ecs');
    const client = new Client({ node: `http://127.0.0.1:${await closedPort()}` });
    const load = createHistoryLoader({ client, adapter, fields: historyFieldsFor(adapter), timeoutMs: 2_000 });
    const failure = await load('logs-a', 'alice', 1_700_000_000, 8).then(() => undefined, (err: unknown) => err);
    await client.close();
    expect(failure).toBeInstanceOf(OpenSearchError);
    const message = (failure as Error).message;
    expect(message).toContain('OpenSearch history search on logs-a');
    expect(message).toMatch(/ConnectionError: .*ECONNREFUSED/);
    expect(message).not.toMatch(/\bnull\b/);
  });
});
