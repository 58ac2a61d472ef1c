// OpenSearch is unreachable while a real rsyslog ships through the proxy (bulk.on_upstream_failure = close, as
// Debian 12's rsyslog drops a batch on an HTTP error): rsyslog suspends and retries, and once OpenSearch is back
// every message is there exactly once and scored. (rsyslog retries a failed batch message by message and does not
// keep their order, so the scores need not equal an in-order pass; that a retried bulk scores like its first
// attempt is serve-bulk-retry-after-upstream-failure-scores-the-same.test.ts.)
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findShipper, hasPython, hasSharedData } from './support/env.js';
import { isCi } from './support/opensearch.js';
import { rsyslogLaunch } from './support/rsyslog-launch.js';
import { expectDeliveredAndScored, openSearchLink, shipThroughProxy, type ShippingRun } from './support/shipper-fixture.js';
import { call, closedPort } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
let run: ShippingRun | undefined;
let link: ReturnType<typeof openSearchLink> | undefined;

/** The sidecar's count of bulks it could not forward. */
async function upstreamFailures(sidecarUrl: string): Promise<number> {
  const text = (await call(sidecarUrl, 'GET', '/metrics')).text;
  return Number(/seqsentry_errors_total\{kind="upstream"\} (\d+)/.exec(text)?.[1] ?? 0);
}

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
    // At least one retry while OpenSearch is away.
    let failures = 0;
    for (const started = Date.now(); failures < 2 && Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 200))) {
      failures = await upstreamFailures(run!.sidecarUrl);
    }
    expect(failures, run!.log()).toBeGreaterThanOrEqual(2);
    await link!.open();
    await expectDeliveredAndScored(url, run!, { inOrder: false });
    expect(run!.log()).not.toMatch(/error in elasticsearch reply/);
  });
});
