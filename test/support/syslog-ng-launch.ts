// syslog-ng started on the shipped sample as an admin would adapt it: the sidecar's address and token, this run's
// index, a TCP input of this run in place of the machine's own sources, and the unpacked copy's SCL.
import { expect } from 'vitest';
import type { ShipperInstall } from './env.js';
import { sample, writeConfig, type ShipperLaunch, type ShippingContext } from './shipper-fixture.js';

/** `timeReopenS`: how soon a failed destination retries (syslog-ng's default is 60 s). */
export function syslogNgLaunch(syslogNg: ShipperInstall, ctx: ShippingContext, timeReopenS?: number): ShipperLaunch {
  let text = sample('syslog-ng-seqsentry.conf')
    .replace('http://seqsentry-sidecar:8080/', `http://127.0.0.1:${ctx.sidecarPort}/`)
    .replace('SEQSENTRY_TOKEN', ctx.token)
    .replace('index("seqsentry-auth-', `index("${ctx.index}-`)
    // RFC 5424 framing, one message per line.
    .replace(/source s_auth \{[^}]*\};/, `source s_auth { network(ip("127.0.0.1") port(${ctx.tcpPort}) transport("tcp") flags(syslog-protocol)); };`)
    // The unpacked copy's SCL lives outside the compiled-in include path.
    .replace('@include "scl.conf"', `@include "${syslogNg.include}/scl/elasticsearch/elastic-http.conf"`);
  if (timeReopenS !== undefined) text += `\noptions { time-reopen(${timeReopenS}); };\n`;
  for (const part of [`127.0.0.1:${ctx.sidecarPort}`, `index("${ctx.index}-`, `port(${ctx.tcpPort})`, 'elastic-http.conf']) expect(text).toContain(part);
  const config = writeConfig(ctx, 'syslog-ng.conf', text);
  return { args: ['-F', '--no-caps', '-f', config, `--module-path=${syslogNg.modules}`, '-R', `${ctx.work}/persist`, '-p', `${ctx.work}/pid`, '-c', `${ctx.work}/ctl`] };
}
