// A small enterprise with every quiet campaign class, simulated once per test file and read back as rows,
// so each campaign-class test asserts on the files a user would get.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { readEvents } from '../../src/adapters/read.js';
import { createAdapter } from '../../src/adapters/registry.js';
import type { CanonicalEvent } from '../../src/core/event.js';
import type { EnterpriseProfileInput } from '../../src/sim/profile.js';
import { simulate, type SimulationResult } from '../../src/sim/simulate.js';

/** Every event of a rendered file as `format`'s adapter reads it; a record it cannot read fails the test, located. */
export async function renderedEvents(file: string, format: string): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for await (const item of readEvents([file], createAdapter(format))) {
    if (!item.event) throw new Error(`${file}:${item.source.line}: ${item.error?.message ?? 'no event'}`);
    out.push(item.event);
  }
  return out;
}

export const DAY = 86400;
export const HOUR = 3600;

export type Row = { time: number; user: string; dstUser: string; src: string; dst: string; auth: string; logonType: string; orient: string; ok: string };
export type Truth = { time: number; user: string; src: string; dst: string; cls: string; instance: string };

/** 200 people, Mon–Wed training, Thu–Fri test; developers, NTLM clients and role-only servers present. */
export const QUIET_PROFILE: EnterpriseProfileInput = {
  users: 200,
  developerShare: 0.1,
  ntlmUserShare: 0.2,
  restrictedServers: 3,
  serviceAccountsPer100: 3,
  campaigns: {
    'night-unusual-protocol': { instances: 2, days: [0, 1] },
    'cross-role-access': { instances: 2, days: [0, 1] },
    'slow-lateral': { instances: 1, events: 5 },
    'new-service-account': { instances: 1, events: 6 },
    'password-spray': { instances: 1, events: 8 },
  },
};

export interface SimFixture {
  dir: string;
  result: SimulationResult;
  train: Row[];
  test: Row[];
  labels: string[];
  truth: Truth[];
  cleanup(): Promise<void>;
}

const row = (l: string): Row => {
  const [time, user, dstUser, src, dst, auth, logonType, orient, ok] = l.split(',') as string[];
  return { time: Number(time), user: user!, dstUser: dstUser!, src: src!, dst: dst!, auth: auth!, logonType: logonType!, orient: orient!, ok: ok! };
};

export async function simulateFixture(profile: EnterpriseProfileInput = QUIET_PROFILE, seed = 5): Promise<SimFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'seqsentry-sim-quiet-'));
  const result = await simulate({ days: 5, trainDays: 3, seed, outDir: dir, profile });
  const lines = async (f: string) => (await readFile(join(dir, f), 'utf8')).split('\n').filter((l) => l !== '');
  const [train, test, labels, tsv] = await Promise.all([lines('train.csv'), lines('test.csv'), lines('redteam.txt'), lines('campaigns.tsv')]);
  const truth = tsv.slice(1).map((l) => {
    const [time, user, src, dst, cls, instance] = l.split('\t') as string[];
    return { time: Number(time), user: user!, src: src!, dst: dst!, cls: cls!, instance: instance! };
  });
  return { dir, result, train: train.map(row), test: test.map(row), labels, truth, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Simulates the fixture before the file's tests and removes it after; call the result inside a test. */
export function useSimFixture(profile?: EnterpriseProfileInput): () => SimFixture {
  let f: SimFixture | undefined;
  beforeAll(async () => {
    f = await simulateFixture(profile);
  });
  afterAll(() => f?.cleanup());
  return () => {
    if (!f) throw new Error('simulation fixture not ready: useSimFixture() must be called in a describe block');
    return f;
  };
}

/** The test rows of one campaign class, matched through campaigns.tsv on (time, user, src, dst). */
export function redRows(f: SimFixture, cls: string): (Row & { instance: string })[] {
  const byKey = new Map(f.truth.filter((t) => t.cls === cls).map((t) => [`${t.time},${t.user},${t.src},${t.dst}`, t.instance]));
  return f.test.flatMap((r) => {
    const instance = byKey.get(`${r.time},${r.user},${r.src},${r.dst}`);
    return instance === undefined ? [] : [{ ...r, instance }];
  });
}
