// Deterministic web logins (no shared sample of web logins exists): 30 users who log in to the portal from their
// office's egress address with their own browser every working day, in the login-risk services' request shape, and a
// takeover of one account from a German network on a phone. Real public addresses the packaged databases know.
export const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
export const MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
export const PHONE = 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
/** Offices' egress addresses (US, AS15169 and AS13335); the takeover comes from a German network. */
export const OFFICES = ['8.8.8.8', '8.8.4.4', '1.0.0.1'];
export const ATTACKER = '81.169.145.66';
export const DAY = 86_400;
export const START = Date.UTC(2024, 2, 4) / 1000; // a Monday

const ns = (seconds: number): string => `${BigInt(seconds) * 1_000_000_000n}`;

/** Two logins per user per working day (8-10 h and 13 h), `days` days from day `firstDay`, in time order. */
export function webloginRecords(days: number, firstDay: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let d = firstDay; d < firstDay + days; d++) {
    if ((d % 7) >= 5) continue; // weekends off
    for (let u = 0; u < 30; u++) {
      for (const hour of [8 + (u % 3), 13]) {
        const t = START + d * DAY + hour * 3600 + u * 60;
        out.push({ userID: `user${u}`, timestamp: ns(t), location: OFFICES[u % 3], userAgent: u % 2 ? MAC : DESKTOP, outcome: 'success', app: 'portal' });
      }
    }
  }
  return out;
}

/** user7's account taken over on day `day` at 03:00: another country, AS and device. */
export function takeoverLogin(day = 14): Record<string, unknown> {
  return { userID: 'user7', timestamp: ns(START + day * DAY + 3 * 3600), location: ATTACKER, userAgent: PHONE, outcome: 'success', app: 'portal' };
}
