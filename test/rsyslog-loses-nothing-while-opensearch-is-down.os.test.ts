// OpenSearch is unreachable while a real rsyslog ships through the proxy (bulk.on_upstream_failure = close, as
// Debian 12's rsyslog drops a batch on an HTTP error): rsyslog suspends and retries, and once OpenSearch is back
// every message is there exactly once and scored. (rsyslog retries a failed batch message by message and does not
// keep their order, so the scores need not equal an in-order pass; that a retried bulk scores like its first
// attempt is serve-bulk-retry-after-upstream-failure-scores-the-same.test.ts.)
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { findShipper, hasPython, hasSharedData } from './support/env.js';
import { isCi } from './support/opensearch.js';
import { rsyslogLaunch } from './support/rsyslog-launch.js';
import { closedPort } from './support/sidecar-fixture.js';
import { expectSurvivesOutage, openSearchLink, shipThroughProxy, type ShippingRun } from './support/shipper-fixture.js';

const url = inject('opensearchUrl');
let run: ShippingRun | undefined;
let link: ReturnType<typeof openSearchLink> | undefined;

describe.runIf(url || isCi())('rsyslog while OpenSearch is down', () => {
  beforeAll(async () => {
    if (!url) throw new Error('OpenSearch required (CI=true): none was started for this file');
    const rsyslog = hasSharedData() && hasPython() ? findShipper('rsyslog') : null;
    if (!rsyslog) return;
    link = openSearchLink(await closedPort(), url);
    run = await shipThroughProxy(url, rsyslog, 'rsyslog-outage', (ctx) => rsyslogLaunch(rsyslog, ctx, 1), {
      'opensearch.url': link.url,
      'bulk.on_upstream_failure': 'close',
    });
  }, 300_000);

  afterAll(async () => {
    await run?.stop();
    await link?.cut();
  });

  it('suspends and retries until OpenSearch is back, then every message is there once and scored', async (ctx) => {
    if (!run || !link) ctx.skip('rsyslog, shared data or Python missing (see above)');
    await expectSurvivesOutage(url, run!, link!);
  });
});
