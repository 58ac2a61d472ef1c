// `simulate --render weblogin`: the enterprise's people as web/SSO logins, training days of ordinary logins, then
// test days with account-takeover campaigns (login-campaigns.ts). Writes ECS-like login JSON lines that the
// weblogin adapter reads, labels and campaigns.tsv in that adapter's values (time in epoch seconds, user id,
// client IP, application), and summary.json. Same options and seed → byte-identical files.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNoEvent } from '../../adapters/adapter.js';
import { createAdapter } from '../../adapters/registry.js';
import { SeqSentryError } from '../../core/errors.js';
import { GROUND_TRUTH_HEADER } from '../auth-event.js';
import type { Enterprise } from '../enterprise.js';
import type { Rng } from '../prng.js';
import type { OutputFiles } from '../renderers.js';
import { isoTime } from '../render-windows.js';
import type { ResolvedOptions, SimulationResult } from '../simulate.js';
import { groupCampaigns, populationOf, SummaryCounter, type CampaignPart, type SimulationSummary } from '../summary.js';
import { LineWriter } from '../writer.js';
import { LOGIN_CAMPAIGNS } from './login-campaigns.js';
import { benignLogins, webPeople, type LoginEvent, type WebPerson } from './login-habits.js';

/** One login as the JSON line a web/SSO front end would log (ECS names). */
export function loginDocument(e: LoginEvent): Record<string, unknown> {
  return {
    '@timestamp': isoTime(e.time), user: { id: e.user }, source: { ip: e.ip }, user_agent: { original: e.agent },
    event: { outcome: e.success ? 'success' : 'failure' }, app: e.app,
  };
}

const byTime = (a: LoginEvent, b: LoginEvent) => a.time - b.time;

function day(people: readonly WebPerson[], d: number, root: Rng): LoginEvent[] {
  const out: LoginEvent[] = [];
  for (const w of people) benignLogins(w, d, out, root.fork(`web:${d}:${w.user}`));
  return out;
}

export async function simulateLogins(o: ResolvedOptions & { files: OutputFiles; started: bigint }, ent: Enterprise, root: Rng): Promise<SimulationResult> {
  const people = webPeople(ent, o.days, root.fork('web-people'));
  const adapter = createAdapter('weblogin');
  const counter = new SummaryCounter();
  const outcome = (e: LoginEvent) => (e.success ? 'success' : 'failure');
  const train = new LineWriter(join(o.outDir, o.files.train));
  for (let d = 0; d < o.trainDays; d++) {
    const events = day(people, d, root).sort(byTime);
    counter.addDay(d, 'train', events, outcome);
    await train.writeLines(events.map((e) => JSON.stringify(loginDocument(e))));
  }
  await train.close();

  const testDays = Array.from({ length: o.days - o.trainDays }, (_, i) => o.trainDays + i);
  const logs = new Map(testDays.map((d) => [d, day(people, d, root)]));
  const reports: CampaignPart[] = [];
  const campaigns = root.fork('web-campaigns');
  const taken = new Set<string>();
  for (const [cls, c] of Object.entries(LOGIN_CAMPAIGNS)) {
    for (let i = 1; i <= c.instances; i++) {
      const r = campaigns.fork(`${cls}#${i}`);
      const d = r.pick(testDays.filter((x) => x % 7 < 5).length > 0 ? testDays.filter((x) => x % 7 < 5) : testDays);
      const events = c.run({ people, dayStart: d * 86400, taken }, `${cls}#${i}`, c.events, r);
      (logs.get(d) as LoginEvent[]).push(...events);
      const red = events.filter((e) => e.campaign);
      reports.push({ id: cls, instance: `${cls}#${i}`, day: d, events: red.length, first_time: red[0]?.time ?? 0, last_time: red[red.length - 1]?.time ?? 0, description: c.description });
    }
  }
  const test = new LineWriter(join(o.outDir, o.files.test));
  const red: LoginEvent[] = [];
  for (const d of testDays) {
    const events = (logs.get(d) as LoginEvent[]).sort(byTime);
    counter.addDay(d, 'test', events, outcome);
    for (const e of events) if (e.campaign) red.push(e);
    await test.writeLines(events.map((e) => JSON.stringify(loginDocument(e))));
  }
  await test.close();

  // Labels in the adapter's own values, read from the very document written
  const keyOf = (e: LoginEvent) => {
    const ev = adapter.parse(loginDocument(e), { file: 'weblogin rendering', line: 0 });
    if (ev === null || isNoEvent(ev)) throw new SeqSentryError(`simulate weblogin: the adapter reads no login from ${JSON.stringify(loginDocument(e))}`);
    return [ev.time, ev.entities.user, ev.entities.src_host, ev.entities.dst_host];
  };
  const labels = new LineWriter(join(o.outDir, o.files.redteam));
  await labels.writeLines(red.map((e) => keyOf(e).join(',')));
  await labels.close();
  const truth = new LineWriter(join(o.outDir, o.files.campaigns));
  await truth.writeLines([GROUND_TRUTH_HEADER, ...red.map((e) => [...keyOf(e), e.campaign, e.instance].join('\t'))]);
  await truth.close();

  const summary: SimulationSummary = {
    seed: o.seed, scale: o.scale, profile: o.profile, days: o.days, train_days: o.trainDays, test_days: o.days - o.trainDays,
    population: populationOf(ent), files: { ...o.files }, totals: counter.totals(), per_day: counter.perDay,
    campaigns: groupCampaigns(reports), event_types: counter.eventTypes(),
  };
  const file = join(o.outDir, o.files.summary);
  await writeFile(file, JSON.stringify({ render: 'weblogin', ...summary }, null, 2) + '\n').catch((err: Error) => {
    throw new SeqSentryError(`simulate: cannot write ${file}: ${err.message}`, { cause: err });
  });
  return { summary, seconds: Number(process.hrtime.bigint() - o.started) / 1e9 };
}
