// The browsers simulated people log in with, and the agents account-takeover tooling sends. Real user-agent strings,
// so the weblogin adapter's ua-parser-js enrichment gives them their browser, OS and device family.
import type { PersonRole } from '../enterprise.js';
import type { Rng } from '../prng.js';

export const AGENTS = Object.freeze({
  'win-chrome': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'win-edge': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
  'win-firefox': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'mac-safari': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'mac-chrome': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'linux-firefox': 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'iphone-safari': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  'android-chrome': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  'python-requests': 'python-requests/2.31.0',
  'headless-chrome': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
} as const);

export type AgentName = keyof typeof AGENTS;

/** Work computers by role: staff get the managed Windows browsers, developers and admins more varied ones. */
const DESKTOPS: Readonly<Record<PersonRole, readonly AgentName[]>> = Object.freeze({
  staff: ['win-chrome', 'win-edge', 'win-chrome', 'mac-safari'],
  helpdesk: ['win-chrome', 'win-edge', 'win-firefox'],
  sysadmin: ['win-firefox', 'linux-firefox', 'win-chrome'],
  developer: ['mac-chrome', 'linux-firefox', 'mac-safari', 'win-firefox'],
});

/** Agents no one in the enterprise uses for work: a takeover "new device". */
export const UNUSUAL_AGENTS: readonly AgentName[] = ['headless-chrome', 'android-chrome', 'linux-firefox'];

export interface Devices {
  desktop: AgentName;
  /** A phone, for the people who log in from one. */
  phone?: AgentName;
}

export function personDevices(role: PersonRole, rng: Rng): Devices {
  const desktop = rng.pick(DESKTOPS[role]);
  return rng.chance(0.6) ? { desktop, phone: rng.chance(0.55) ? 'iphone-safari' : 'android-chrome' } : { desktop };
}
