import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { parseProfile, readProfile } from '../src/sim/profile.js';
import { simulate } from '../src/sim/simulate.js';

const keyOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).key;
  }
  throw new Error('expected a ConfigError');
};

describe('enterprise profile validation', () => {
  it('refuses an unknown key, naming it, at the top level and inside the campaign mix', () => {
    expect(keyOf(() => parseProfile({ users: 200, ntlmShare: 0.3 }))).toBe('profile.ntlmShare');
    expect(keyOf(() => parseProfile({ campaigns: { 'slow-lateral': { instances: 1, hourz: [9, 17] } } }))).toBe('profile.campaigns.slow-lateral.hourz');
    expect(keyOf(() => parseProfile({ campaigns: { 'made-up-class': { instances: 1 } } }))).toMatch(/^profile\.campaigns/);
  });

  it('names the key of an out-of-range value', () => {
    expect(keyOf(() => parseProfile({ users: 50_000 }))).toBe('profile.users');
    expect(keyOf(() => parseProfile({ shiftShare: 1.5 }))).toBe('profile.shiftShare');
    expect(keyOf(() => parseProfile({ campaigns: { 'new-service-account': { hours: [18, 6] } } }))).toBe('profile.campaigns.new-service-account.hours');
  });

  it('says where the profile came from: inline JSON or a file', () => {
    expect(() => readProfile('{"users": 100, "bogus": 1}')).toThrow(/profile\.bogus: unknown key \(in --profile inline JSON\)/);
    expect(() => readProfile('/nonexistent/profile.json')).toThrow(/--profile: cannot read \/nonexistent\/profile\.json/);
  });

  it('fills every default so an empty profile is today\'s enterprise', () => {
    const p = parseProfile({});
    expect(p).toMatchObject({ sysadminShare: 1 / 50, helpdeskShare: 1 / 60, developerShare: 0, weekendShare: 0.05, serverConcentration: 1, maxRedFraction: 0.001 });
    expect(p.campaigns).toBeUndefined();
    expect(p.users).toBeUndefined();
  });

  it('is checked by simulate() itself, before any file is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seqsentry-sim-profile-'));
    try {
      await expect(simulate({ days: 3, seed: 1, outDir: join(dir, 'out'), profile: { roaming: 0.2 } as never })).rejects.toThrow(/profile\.roaming: unknown key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
