// Drain template mining (src/templates/) on loghub's OpenSSH and Linux samples, whose structured CSVs give every
// message's ground-truth template: the loghub benchmark's grouping accuracy stays above a floor (measured 0.718 and
// 0.684 with drain3's default parameters; bench/templates.mjs), every training message matches a mined template
// afterwards, and the preprocessing table masks what varies.
import { describe, expect, it } from 'vitest';
import { groupingAccuracy, readLoghubStructured } from '../src/eval/grouping-accuracy.js';
import { WILDCARD } from '../src/templates/drain-tree.js';
import { maskMessage, tokenize } from '../src/templates/masks.js';
import { TemplateMatcher } from '../src/templates/matcher.js';
import { TemplateMiner } from '../src/templates/miner.js';
import { hasSharedData, shared } from './support/env.js';

describe.runIf(hasSharedData())('templates mined from loghub samples', () => {
  const cases = [
    { name: 'OpenSSH', floor: 0.7 },
    { name: 'Linux', floor: 0.65 },
  ];
  for (const c of cases) {
    it(`${c.name}_2k: grouping accuracy at least ${c.floor}, and every training message matches its template again`, async () => {
      const rows = await readLoghubStructured(shared('linux', 'loghub', c.name, `${c.name}_2k.log_structured.csv`));
      const miner = new TemplateMiner();
      const online = rows.map((r) => String(miner.add(r.content)));
      const truth = rows.map((r) => r.eventId);
      const mined = groupingAccuracy(truth, online);
      process.stdout.write(`${c.name}_2k: ${miner.size} templates (loghub: ${mined.truthGroups}), grouping accuracy ${mined.accuracy}\n`);
      expect(mined.accuracy).toBeGreaterThanOrEqual(c.floor);
      const matcher = new TemplateMatcher(miner.table());
      const matched = rows.map((r) => matcher.match(r.content));
      expect(matcher.unmatched).toBe(0);
      expect(groupingAccuracy(truth, matched).accuracy).toBeGreaterThanOrEqual(c.floor);
    });
  }
});

describe('grouping accuracy and the preprocessing table', () => {
  it('counts a message right only when its group is exactly its ground-truth group', () => {
    // truth: A A B B C; parsed: x x y z z → A's group is exact (2), B is split, C is merged with a B
    expect(groupingAccuracy(['A', 'A', 'B', 'B', 'C'], ['x', 'x', 'y', 'z', 'z'])).toMatchObject({ correct: 2, total: 5, accuracy: 0.4 });
  });

  it('masks addresses, times, hex codes, paths and numbers, keeping the words around them', () => {
    expect(maskMessage('authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.188.2.4')).toBe('authentication failure; logname= uid=<NUM> euid=<NUM> tty=ssh ruser= rhost=<IP>');
    expect(maskMessage('connection from 222.33.90.199 (222.33.90.199) at Sun Jun 19 04:08:57 2005')).toBe('connection from <IP> (<IP>) at Sun Jun <NUM> <TIME> <NUM>');
    expect(maskMessage('Reloading /etc/hosts on fe80::1:2 code 0x1f id deadbeef12 pid 1234.')).toBe('Reloading <PATH> on <IP6> code <HEX> id <HEX> pid <NUM>.');
    expect(tokenize('  Received disconnect from 10.0.0.1 port 43327:11: Bye Bye  ')).toEqual(['Received', 'disconnect', 'from', '<IP>', 'port', '<NUM>:', 'Bye', 'Bye']);
  });

  it('turns the positions where one template\'s messages differ into wildcards; other lengths are other templates', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Invalid user admin from 10.0.0.1');
    const b = miner.add('Invalid user oracle from 10.0.0.2');
    const c = miner.add('Invalid user from 10.0.0.3');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(miner.table().templates.map((t) => t.tokens.join(' '))).toEqual([`Invalid user ${WILDCARD} from <IP>`, 'Invalid user from <IP>']);
  });
});
