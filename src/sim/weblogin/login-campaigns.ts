// Account-takeover campaigns against the simulated web logins, one frozen entry per class. Each instance picks its
// day among the test days and its victims among the people, and returns its red events (plus, for impossible
// travel, the victim's own ordinary login that makes the travel impossible, which is not red).
import type { Rng } from '../prng.js';
import { blockAddress, FOREIGN_BLOCKS, HOME_BLOCKS } from './addresses.js';
import { AGENTS, UNUSUAL_AGENTS } from './agents.js';
import { devicesOn, OFFICE_NAT_ADDRESSES, type LoginEvent, type WebPerson } from './login-habits.js';

const HOUR = 3600;

export interface LoginCampaignContext {
  people: readonly WebPerson[];
  /** Simulated second at which the chosen test day starts. */
  dayStart: number;
  /** People already victims of another campaign (so each class has its own victims). */
  taken: Set<string>;
}

export interface LoginCampaign {
  /** Instances and red events per instance (credential stuffing: attempts) in the default mix. */
  instances: number;
  events: number;
  description: string;
  run(ctx: LoginCampaignContext, instance: string, events: number, r: Rng): LoginEvent[];
}

const dayOf = (ctx: LoginCampaignContext) => Math.floor(ctx.dayStart / 86400);

function victim(ctx: LoginCampaignContext, r: Rng): WebPerson {
  const free = ctx.people.filter((w) => !ctx.taken.has(w.user));
  const w = r.pick(free.length > 0 ? free : ctx.people);
  ctx.taken.add(w.user);
  return w;
}

/** `n` logins by an attacker holding the victim's password, minutes apart from `hour`. */
function session(w: WebPerson, ctx: LoginCampaignContext, hour: number, n: number, ip: string, agent: string, cls: string, instance: string, r: Rng): LoginEvent[] {
  const out: LoginEvent[] = [];
  let t = ctx.dayStart + Math.floor(hour * HOUR);
  for (let i = 0; i < n; i++) {
    out.push({ time: t, user: w.user, ip, agent, app: r.pick(['mail', 'hr', 'expenses', ...w.apps]), success: true, campaign: cls, instance });
    t += r.intBetween(120, 1800);
  }
  return out;
}

/** Names password lists try that are no one's account here. */
const GUESSED_NAMES = ['admin', 'administrator', 'test', 'info', 'support', 'jsmith', 'root', 'sales'];

export const LOGIN_CAMPAIGNS: Readonly<Record<string, LoginCampaign>> = Object.freeze({
  'new-country': {
    instances: 1, events: 3,
    description: 'stolen password used from a foreign country and AS, with the victim\'s own browser string',
    run(ctx, instance, n, r) {
      const w = victim(ctx, r);
      return session(w, ctx, r.uniform(9, 16), n, blockAddress(r.pick(FOREIGN_BLOCKS), r.int(1 << 20)), AGENTS[devicesOn(w, dayOf(ctx)).desktop], 'new-country', instance, r);
    },
  },
  'new-device': {
    instances: 1, events: 3,
    description: 'a device the victim never used, from a home-country ISP the victim never used (residential proxy)',
    run(ctx, instance, n, r) {
      const w = victim(ctx, r);
      const d = devicesOn(w, dayOf(ctx));
      const own = new Set<string>([d.desktop, ...(d.phone ? [d.phone] : [])]);
      const agent = r.pick(UNUSUAL_AGENTS.filter((a) => !own.has(a)));
      const block = r.pick(HOME_BLOCKS.filter((b) => b !== w.home.block));
      return session(w, ctx, r.uniform(10, 20), n, blockAddress(block, r.int(1 << 20)), AGENTS[agent], 'new-device', instance, r);
    },
  },
  'impossible-travel': {
    instances: 1, events: 2,
    description: 'the victim logs in at the office, then minutes later from another continent',
    run(ctx, instance, n, r) {
      const w = victim(ctx, r);
      const hour = r.uniform(9, 15);
      const d = devicesOn(w, dayOf(ctx));
      const own: LoginEvent = {
        time: ctx.dayStart + Math.floor(hour * HOUR), user: w.user, ip: blockAddress('office', r.int(OFFICE_NAT_ADDRESSES)),
        agent: AGENTS[d.desktop], app: w.apps[0] as string, success: true,
      };
      const away = session(w, ctx, hour + r.uniform(0.3, 1), n, blockAddress(r.pick(FOREIGN_BLOCKS), r.int(1 << 20)), AGENTS[d.phone ?? d.desktop], 'impossible-travel', instance, r);
      return [own, ...away];
    },
  },
  'credential-stuffing': {
    instances: 1, events: 30,
    description: 'a leaked password list tried against many accounts from one hosting address: mostly failures, a few hits',
    run(ctx, instance, n, r) {
      const ip = blockAddress('digitalocean', r.int(4000));
      const agent = AGENTS[r.pick(['python-requests', 'headless-chrome'] as const)];
      const real = r.sample(ctx.people, n).map((w) => w.user);
      const hits = new Set(r.sample(real, r.intBetween(1, 2)));
      let t = ctx.dayStart + Math.floor(r.uniform(1, 23) * HOUR);
      return Array.from({ length: n }, (_, i) => {
        const user = r.chance(0.2) ? (GUESSED_NAMES[i % GUESSED_NAMES.length] as string) : (real[i % real.length] as string);
        t += r.intBetween(3, 40);
        return { time: t, user, ip, agent, app: 'portal', success: hits.has(user), campaign: 'credential-stuffing', instance };
      });
    },
  },
});
