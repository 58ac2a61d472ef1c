// A restarted sidecar or enrich refills its daily budget from the scored events in OpenSearch, its window ending at
// the newest of them. One stored event stamped days ahead of the clock (a wrong clock) must not end it there: against
// a real OpenSearch, the refilled window holds the real events, and the future one is left out.
import { afterAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { loadBudgetWindow } from '../src/opensearch/budget-loader.js';
import { historyFieldsFor } from '../src/opensearch/history-loader.js';
import { SLOT_SECONDS } from '../src/scorer/daily-budget.js';
import { loadIndex } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, uniqueIndex } from './support/os-helpers.js';

const index = uniqueIndex('budget-ahead');
let url = '';

afterAll(async () => {
  if (url) await deleteIndex(url, index);
});

/** A scored ECS logon at `ms`. */
const scored = (ms: number, user: string, score: number, flagged: boolean) => ({
  '@timestamp': new Date(ms).toISOString(),
  user: { name: user, domain: 'CORP' }, source: { domain: 'C1', ip: '10.0.0.1' }, host: { name: 'C2' },
  event: { action: 'logged-in', outcome: 'success', category: 'authentication' },
  anomaly_score: score, anomaly: { is_anomaly: flagged, fields: [{ name: 'user' }] },
});

describe('daily budget refill and event times ahead of the clock', () => {
  it('ends the window at the newest event not stamped past the clock', async (ctx) => {
    url = requireOpenSearch(ctx);
    const now = Date.now();
    const hour = SLOT_SECONDS * 1000;
    await loadIndex(url, index, [
      scored(now - 3 * hour, 'alice', 0.5, false),
      scored(now - 2 * hour, 'bob', 0.9995, true),
      scored(now - hour, 'carol', 0.2, false),
      scored(now + 2 * 24 * hour, 'mallory', 0.3, false), // two days ahead
    ]);
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    try {
      const hours = await loadBudgetWindow(client, index, historyFieldsFor(createAdapter('ecs'), 'user'), 0.999);
      const events = hours.reduce((n, h) => n + h.counts.reduce((m, [, c]) => m + c, 0), 0);
      expect(events).toBe(3);
      expect(hours.reduce((n, h) => n + h.flagged, 0)).toBe(1);
      expect(Math.max(...hours.map((h) => h.hour))).toBe(Math.floor((now - hour) / 1000 / SLOT_SECONDS));
    } finally {
      await client.close();
    }
  });
});
