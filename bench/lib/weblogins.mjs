// Simulated web logins for the login-risk benchmark (bench/risk.mjs), in the login-risk services' request shape
// ({userAgent, timestamp in ns, userID, location}): each user logs in from one office network with one browser a
// few times a working day, some also from a phone; a small share of logins come from elsewhere. Seeded, so runs
// compare. Public addresses the packaged country and AS databases know.

const OFFICES = ['8.8.8.8', '8.8.4.4', '1.0.0.1', '1.1.1.1', '9.9.9.9', '208.67.222.222'];
const ELSEWHERE = ['81.169.145.66', '139.130.4.5', '200.160.2.3', '202.12.27.33', '193.0.14.129'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
];
const PHONE = 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
const DAY = 86_400;
const START = Date.UTC(2024, 2, 4) / 1000; // a Monday

/** mulberry32: a small seeded generator, enough for benchmark data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `days` days of logins of `users` users from day `firstDay`, in time order. */
export function webLogins({ users = 500, days = 14, firstDay = 0, seed = 1 } = {}) {
  const rand = prng(seed);
  const habits = Array.from({ length: users }, (_, u) => ({ office: OFFICES[u % OFFICES.length], agent: AGENTS[u % AGENTS.length], phone: u % 5 === 0, hour: 7 + (u % 4) }));
  const out = [];
  for (let d = firstDay; d < firstDay + days; d++) {
    if (d % 7 >= 5) continue;
    for (let u = 0; u < users; u++) {
      const h = habits[u];
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) {
        const t = START + d * DAY + (h.hour + i * 3) * 3600 + Math.floor(rand() * 3600);
        const away = rand() < 0.01;
        const location = away ? ELSEWHERE[Math.floor(rand() * ELSEWHERE.length)] : h.office;
        const userAgent = h.phone && rand() < 0.3 ? PHONE : h.agent;
        out.push({ userAgent, timestamp: `${BigInt(t) * 1_000_000_000n}`, userID: `user${u}`, location });
      }
    }
  }
  return out.sort((a, b) => (BigInt(a.timestamp) < BigInt(b.timestamp) ? -1 : 1));
}
