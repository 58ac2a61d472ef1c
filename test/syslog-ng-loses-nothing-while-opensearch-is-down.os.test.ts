// OpenSearch is unreachable while a real syslog-ng ships through the proxy with the sidecar's default answer, 502:
// syslog-ng's http() destination retries it, and once OpenSearch is back every message is there exactly once and
// scored.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { findShipper, hasPython, hasSharedData } from './support/env.js';
import { isCi } from './support/opensearch.js';
import { syslogNgLaunch } from './support/syslog-ng-launch.js';
import { closedPort } from './support/sidecar-fixture.js';
import { expectSurvivesOutage, openSearchLink, shipThroughProxy, type ShippingRun } from './support/shipper-fixture.js';

const url = inject('opensearchUrl');
let run: ShippingRun | undefined;
let link: ReturnType<typeof openSearchLink> | undefined;

describe.runIf(url || isCi())('syslog-ng while OpenSearch is down', () => {
  beforeAll(async () => {
    if (!url) throw new Error('OpenSearch required (CI=true): none was started for this file');
    const syslogNg = hasSharedData() && hasPython() ? findShipper('syslog-ng') : null;
    if (!syslogNg) return;
    link = openSearchLink(await closedPort(), url);
    run = await shipThroughProxy(url, syslogNg, 'syslog-ng-outage', (ctx) => syslogNgLaunch(syslogNg, ctx, 1), {
      'opensearch.url': link.url,
    });
  }, 300_000);

  afterAll(async () => {
    await run?.stop();
    await link?.cut();
  });

  it('retries the 502 until OpenSearch is back, then every message is there once and scored', async (ctx) => {
    if (!run || !link) ctx.skip('syslog-ng, shared data or Python missing (see above)');
    await expectSurvivesOutage(url, run!, link!);
  });
});
