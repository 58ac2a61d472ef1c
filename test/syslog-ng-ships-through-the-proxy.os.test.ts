// A real syslog-ng from Debian, configured with the shipped sample (pipelines/shippers/syslog-ng-seqsentry.conf) as
// an admin would adapt it, sends syslog messages holding LANL auth lines through the sidecar's _bulk proxy into
// OpenSearch: every auth message arrives once, scored as the offline scorer scores it or marked unscorable.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { findShipper, hasPython, hasSharedData } from './support/env.js';
import { isCi } from './support/opensearch.js';
import { expectDeliveredAndScored, shipThroughProxy, type ShippingRun } from './support/shipper-fixture.js';
import { syslogNgLaunch } from './support/syslog-ng-launch.js';

const url = inject('opensearchUrl');
let run: ShippingRun | undefined;

describe.runIf(url || isCi())('syslog-ng → _bulk proxy → OpenSearch', () => {
  beforeAll(async () => {
    if (!url) throw new Error('OpenSearch required (CI=true): none was started for this file');
    const syslogNg = hasSharedData() && hasPython() ? findShipper('syslog-ng') : null;
    if (!syslogNg) return;
    run = await shipThroughProxy(url, syslogNg, 'syslog-ng', (ctx) => syslogNgLaunch(syslogNg, ctx));
  }, 300_000);

  afterAll(async () => run?.stop());

  it('delivers every auth message once, scored like the offline scorer or marked unscorable, and nothing else', async (ctx) => {
    if (!run) ctx.skip('syslog-ng, shared data or Python missing (see above)');
    await expectDeliveredAndScored(url, run!);
  });
});
