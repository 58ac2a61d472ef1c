// A real rsyslog from Debian, configured with the shipped sample (pipelines/shippers/rsyslog-seqsentry.conf) as an
// admin would adapt it, sends syslog messages holding LANL auth lines through the sidecar's _bulk proxy into
// OpenSearch: every auth message arrives once, scored as the offline scorer scores it or marked unscorable.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findShipper, hasPython, hasSharedData } from './support/env.js';
import { isCi } from './support/opensearch.js';
import { expectDeliveredAndScored, sample, shipThroughProxy, writeConfig, type ShippingRun } from './support/shipper-fixture.js';

const url = inject('opensearchUrl');
let run: ShippingRun | undefined;

describe.runIf(url || isCi())('rsyslog → _bulk proxy → OpenSearch', () => {
  beforeAll(async () => {
    if (!url) throw new Error('OpenSearch required (CI=true): none was started for this file');
    const rsyslog = hasSharedData() && hasPython() ? findShipper('rsyslog') : null;
    if (!rsyslog) return;
    run = await shipThroughProxy(url, rsyslog, 'rsyslog', (ctx) => {
      const body = sample('rsyslog-seqsentry.conf')
        .replace('server="seqsentry-sidecar" serverport="8080"', `server="127.0.0.1" serverport="${ctx.sidecarPort}"`)
        .replace('SEQSENTRY_TOKEN', ctx.token)
        .replace('string="seqsentry-auth-', `string="${ctx.index}-`);
      expect(body).toContain(`serverport="${ctx.sidecarPort}"`);
      expect(body).toContain(`string="${ctx.index}-`);
      const included = writeConfig(ctx, 'seqsentry.conf', body);
      // The machine's own inputs are replaced by a TCP input of this run.
      const main = writeConfig(ctx, 'rsyslog.conf', [
        `global(workDirectory="${ctx.work}")`,
        'module(load="imtcp")',
        `input(type="imtcp" address="127.0.0.1" port="${ctx.tcpPort}")`,
        `$IncludeConfig ${included}`,
        '',
      ].join('\n'));
      return { args: ['-n', '-f', main, '-M', rsyslog.modules, '-i', `${ctx.work}/rsyslogd.pid`] };
    });
  }, 300_000);

  afterAll(async () => run?.stop());

  it('delivers every auth message once, scored like the offline scorer or marked unscorable, and nothing else', async (ctx) => {
    if (!run) ctx.skip('rsyslog, shared data or Python missing (see above)');
    await expectDeliveredAndScored(url, run!);
  });
});
