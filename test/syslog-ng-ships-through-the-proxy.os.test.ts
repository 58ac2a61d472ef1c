// A real syslog-ng from Debian, configured with the shipped sample (pipelines/shippers/syslog-ng-seqsentry.conf) as
// an admin would adapt it, sends syslog messages holding LANL auth lines through the sidecar's _bulk proxy into
// OpenSearch: every auth message arrives once, scored as the offline scorer scores it or marked unscorable.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findShipper, hasPython, hasSharedData } from './support/env.js';
import { isCi } from './support/opensearch.js';
import { expectDeliveredAndScored, sample, shipThroughProxy, writeConfig, type ShippingRun } from './support/shipper-fixture.js';

const url = inject('opensearchUrl');
let run: ShippingRun | undefined;

describe.runIf(url || isCi())('syslog-ng → _bulk proxy → OpenSearch', () => {
  beforeAll(async () => {
    if (!url) throw new Error('OpenSearch required (CI=true): none was started for this file');
    const syslogNg = hasSharedData() && hasPython() ? findShipper('syslog-ng') : null;
    if (!syslogNg) return;
    run = await shipThroughProxy(url, syslogNg, 'syslog-ng', (ctx) => {
      const text = sample('syslog-ng-seqsentry.conf')
        .replace('http://seqsentry-sidecar:8080/', `http://127.0.0.1:${ctx.sidecarPort}/`)
        .replace('SEQSENTRY_TOKEN', ctx.token)
        .replace('index("seqsentry-auth-', `index("${ctx.index}-`)
        // The machine's own log sources are replaced by a TCP input of this run (RFC 5424 framing per line).
        .replace(/source s_auth \{[^}]*\};/, `source s_auth { network(ip("127.0.0.1") port(${ctx.tcpPort}) transport("tcp") flags(syslog-protocol)); };`)
        // The unpacked copy's SCL lives outside the compiled-in include path.
        .replace('@include "scl.conf"', `@include "${syslogNg.include}/scl/elasticsearch/elastic-http.conf"`);
      for (const part of [`127.0.0.1:${ctx.sidecarPort}`, `index("${ctx.index}-`, `port(${ctx.tcpPort})`, 'elastic-http.conf']) expect(text).toContain(part);
      const config = writeConfig(ctx, 'syslog-ng.conf', text);
      return {
        args: ['-F', '--no-caps', '-f', config, `--module-path=${syslogNg.modules}`, '-R', `${ctx.work}/persist`, '-p', `${ctx.work}/pid`, '-c', `${ctx.work}/ctl`],
      };
    });
  }, 300_000);

  afterAll(async () => run?.stop());

  it('delivers every auth message once, scored like the offline scorer or marked unscorable, and nothing else', async (ctx) => {
    if (!run) ctx.skip('syslog-ng, shared data or Python missing (see above)');
    await expectDeliveredAndScored(url, run!);
  });
});
