// A web login's hour-of-day habit is the user's per OS (Adapter.hourHabitField, MemorySpec.hour_pair): a phone used in
// the evenings does not make the user's desktop at night usual, nor does the desktop's working day make the phone's
// evening rare; an OS the user never used is judged by everyone's hours; recall counts only the same OS's logins;
// other formats, and a web-login model whose context is the address, keep one habit per entity.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { EntityMemory } from '../src/memory/entity-memory.js';
import type { MemorySpec } from '../src/memory/memory-spec.js';
import { defaultMemorySpec } from '../src/train/fit-fusion.js';
import { recalledStatistics } from './support/memory-fixture.js';

const adapter = createAdapter('weblogin');
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const LINUX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const DAY = 86400;
const HOUR = 2;

function login(time: number, user: string, agent: string): CanonicalEvent {
  const event = adapter.parse({ '@timestamp': new Date(time * 1000).toISOString(), user: { id: user }, source: { ip: '73.0.0.10' }, user_agent: { original: agent }, event: { outcome: 'success' }, app: 'mail' }, { file: 't', line: 1 });
  if (!event || !('entities' in event)) throw new Error('the test login did not parse');
  return event;
}

/** u1 works 09:00-16:00 at a Windows desktop and reads mail on an iPhone at 20:00, for ten days; u2 keeps office hours. */
function trained(spec: MemorySpec): EntityMemory {
  const m = new EntityMemory(spec);
  for (let d = 0; d < 10; d++) {
    for (let h = 9; h < 17; h++) {
      m.add(login(d * DAY + h * 3600, 'u1', WINDOWS));
      m.add(login(d * DAY + h * 3600 + 60, 'u2', WINDOWS));
    }
    m.add(login(d * DAY + 20 * 3600, 'u1', IPHONE));
  }
  return m;
}

const hour = (m: EntityMemory, e: CanonicalEvent, past: readonly CanonicalEvent[] = []) => recalledStatistics(m, e, past, { minAge: 3600, habitMinAge: 3600 })[HOUR] as number;
const evening = 20 * DAY + 20 * 3600 + 600;

describe('weblogin hour habit per OS', () => {
  it('is declared by the weblogin adapter for a user context only; lanl keeps one habit per user', () => {
    const spec = defaultMemorySpec(adapter, 'user');
    expect(spec.hour_pair).toBe('user+os');
    expect(new EntityMemory(spec).componentNames).toEqual(['pairs', 'novelty', 'hour:user+os', 'travel:user+country']);
    expect(defaultMemorySpec(adapter, 'src_host')).toEqual({ pairs: spec.pairs, hour_entity: 'src_host' });
    const lanl = defaultMemorySpec(createAdapter('lanl'), 'user');
    expect(lanl.hour_pair).toBeUndefined();
    expect(new EntityMemory(lanl).componentNames).toEqual(['pairs', 'novelty', 'hour:user']);
  });

  it('keeps the phone evening usual and the desktop evening rare, where one profile would blur them', () => {
    const spec = defaultMemorySpec(adapter, 'user');
    const perOs = trained(spec);
    const phone = hour(perOs, login(evening, 'u1', IPHONE));
    const desktop = hour(perOs, login(evening, 'u1', WINDOWS));
    expect(desktop).toBeGreaterThan(phone + 2);
    const perUser = trained({ pairs: spec.pairs, hour_entity: 'user' });
    expect(hour(perUser, login(evening, 'u1', IPHONE))).toBeGreaterThan(phone + 1);
    expect(hour(perUser, login(evening, 'u1', WINDOWS))).toBeLessThan(desktop - 1);
  });

  it('judges an OS the user never used by everyone\'s hours, as it judges a user the memory never met', () => {
    const m = trained(defaultMemorySpec(adapter, 'user'));
    const night = 20 * DAY + 3 * 3600;
    expect(hour(m, login(night, 'u1', LINUX))).toBeCloseTo(hour(m, login(night, 'u9', WINDOWS)), 12);
  });

  it('recalls into the habit only the logins of the same OS', () => {
    const m = trained(defaultMemorySpec(adapter, 'user'));
    const desktop = login(evening, 'u1', WINDOWS);
    const phoneEvenings = [1, 2, 3].map((k) => login(evening - k * DAY, 'u1', IPHONE));
    const desktopEvenings = [1, 2, 3].map((k) => login(evening - k * DAY, 'u1', WINDOWS));
    expect(hour(m, desktop, phoneEvenings)).toBeCloseTo(hour(m, desktop), 12);
    expect(hour(m, desktop, desktopEvenings)).toBeLessThan(hour(m, desktop) - 0.5);
  });

  it('refuses an hour pair that is not among the pairs, naming it', () => {
    const { pairs } = defaultMemorySpec(adapter, 'user');
    expect(() => new EntityMemory({ pairs, hour_entity: 'user', hour_pair: 'user+device' })).toThrow(/hour_pair "user\+device" is not one of the pairs/);
    expect(() => new EntityMemory({ pairs, hour_entity: 'src_host', hour_pair: 'user+os' })).toThrow(/first member hour_entity "src_host"/);
  });
});
