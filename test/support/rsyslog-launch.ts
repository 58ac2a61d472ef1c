// rsyslog started on the shipped sample as an admin would adapt it: the sidecar's address and token, this run's
// index, and a TCP input of this run in place of the machine's own inputs.
import { expect } from 'vitest';
import type { ShipperInstall } from './env.js';
import { sample, writeConfig, type ShipperLaunch, type ShippingContext } from './shipper-fixture.js';

/** `resumeIntervalS`: how soon a suspended action retries (rsyslog's default is 30 s). */
export function rsyslogLaunch(rsyslog: ShipperInstall, ctx: ShippingContext, resumeIntervalS?: number): ShipperLaunch {
  let body = sample('rsyslog-seqsentry.conf')
    .replace('server="seqsentry-sidecar" serverport="8080"', `server="127.0.0.1" serverport="${ctx.sidecarPort}"`)
    .replace('SEQSENTRY_TOKEN', ctx.token)
    .replace('string="seqsentry-auth-', `string="${ctx.index}-`);
  if (resumeIntervalS !== undefined) body = body.replace('action.resumeretrycount="-1"', `action.resumeretrycount="-1" action.resumeInterval="${resumeIntervalS}"`);
  for (const part of [`serverport="${ctx.sidecarPort}"`, `string="${ctx.index}-`, ...(resumeIntervalS !== undefined ? ['action.resumeInterval='] : [])]) expect(body).toContain(part);
  const included = writeConfig(ctx, 'seqsentry.conf', body);
  const main = writeConfig(ctx, 'rsyslog.conf', [
    `global(workDirectory="${ctx.work}")`,
    'module(load="imtcp")',
    `input(type="imtcp" address="127.0.0.1" port="${ctx.tcpPort}")`,
    `$IncludeConfig ${included}`,
    '',
  ].join('\n'));
  return { args: ['-n', '-f', main, '-M', rsyslog.modules, '-i', `${ctx.work}/rsyslogd.pid`] };
}
