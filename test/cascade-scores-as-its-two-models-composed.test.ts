import { createHash } from 'node:crypto';
// A cascade (LANL's default, models/kinds.json screen_by_format): the screen, trained without context beside the model,
// scores every event; the model, with the entity's previous events, scores again those the screen puts at or above
// the threshold, and its score replaces the screen's. Each event's result must be, to the last bit, what the screen
// alone or the model alone gives it, with one history and one memory for both; a screen that does not encode, remember
// and recall events as its bundle does is refused at load.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { loadBundle } from '../src/model/bundle.js';
import { Scorer, type ScoreResult } from '../src/scorer/scorer.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

/** Low enough that the model scores a good share of the sample again (the default, 0.99, leaves it a few percent). */
const THRESHOLD = 0.9;

type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

describe.runIf(hasPython() && hasSharedData())('a cascade bundle', () => {
  let model: string;
  let root: string;
  let events: CanonicalEvent[];

  /** A copy of the cascade with `change` applied to its bundle.json, or (screen: true) to its screen's. */
  const variant = (name: string, change: (b: Json) => void, screen = false, unpin = true): string => {
    const dir = join(root, name);
    cpSync(model, dir, { recursive: true });
    const file = join(dir, ...(screen ? ['screen'] : []), 'bundle.json');
    const b = readJson(file);
    change(b);
    writeFileSync(file, JSON.stringify(b));
    if (screen && unpin) {
      // As a bundle trained before screens were pinned: the screen's own checks are what stands.
      const outer = readJson(join(dir, 'bundle.json'));
      delete (outer.screen as Json).bundle_sha256;
      writeFileSync(join(dir, 'bundle.json'), JSON.stringify(outer));
    }
    return dir;
  };

  const scoreWith = async (dir: string): Promise<{ results: ScoreResult[]; scorer: Scorer }> => {
    const scorer = await Scorer.load(dir, { budget: null });
    try {
      return { results: await scorer.score(events), scorer };
    } finally {
      await scorer.close();
    }
  };

  beforeAll(async () => {
    model = await lanlModel('transformer-mlm', 8, THRESHOLD);
    root = mkdtempSync(join(tmpdir(), 'seqsentry-cascade-'));
    events = [];
    for await (const item of readEvents([shared('lanl', 'safekit-heads', 'day0_head_decoded.csv')], createAdapter('lanl'))) if (item.event) events.push(item.event);
  }, 600_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is trained as a context-free screen beside the model, sharing its memory file', () => {
    const outer = readJson(join(model, 'bundle.json'));
    const screen = readJson(join(model, 'screen', 'bundle.json'));
    // pinned by the sha256 of the screen's bundle.json as written
    expect(outer.screen).toEqual({ dir: 'screen', threshold: THRESHOLD, bundle_sha256: createHash('sha256').update(readFileSync(join(model, 'screen', 'bundle.json'))).digest('hex') });
    expect([outer.context_length, screen.context_length]).toEqual([8, 0]);
    expect(screen.tokenizer).toEqual(outer.tokenizer);
    expect((screen.fusion as Json).memory_file).toBe('../memory.json');
    expect((screen.fusion as Json).memory_sha256).toBe((outer.fusion as Json).memory_sha256);
    expect(existsSync(join(model, 'screen', 'memory.json'))).toBe(false);
    // the two models were fitted apart: their sequence tails and calibrations are their own
    expect(screen.calibration).not.toEqual(outer.calibration);
  });

  it('gives each event the screen\'s result below the threshold and the model\'s at or above it, to the last bit', async () => {
    const cascade = await scoreWith(model);
    const alone = await scoreWith(join(model, 'screen'));
    const withContext = await scoreWith(variant('no-screen', (b) => { delete b.screen; }));
    let escalated = 0;
    cascade.results.forEach((got, i) => {
      const first = alone.results[i] as ScoreResult;
      const up = first.anomaly_score >= THRESHOLD;
      if (up) escalated++;
      expect(got, `event ${i}`).toEqual(up ? withContext.results[i] : first);
    });
    expect(cascade.scorer.screenStats).toEqual({ threshold: THRESHOLD, screened: events.length, escalated });
    // both stages are exercised: some events, not all, go on to the model
    expect(escalated).toBeGreaterThan(events.length / 50);
    expect(escalated).toBeLessThan(events.length);
    // and the context changed some of those scores, so the model did read it
    expect(cascade.results.filter((r, i) => r.anomaly_score !== (alone.results[i] as ScoreResult).anomaly_score).length).toBeGreaterThan(0);
  }, 300_000);

  it('refuses a screen that would not share the bundle\'s rows, memory and recall', async () => {
    const refused: [string, string, (b: Json) => void][] = [
      ['context', 'its context_length is 8, a screen reads none', (b) => { b.context_length = 8; }],
      ['vocab', 'its tokenizer \\(fields, hour token or vocabularies\\) is not the bundle\'s', (b) => { b.tokenizer = { ...(b.tokenizer as Json), min_count: 3 }; }],
      ['recall', 'its fusion does not share the bundle\'s memory, recall and components', (b) => { (b.fusion as Json).recall = 16; }],
      ['entity', 'its format and entity \\(lanl, src_host\\) are not the bundle\'s \\(lanl, user\\)', (b) => { b.entity_key = 'src_host'; }],
    ];
    for (const [name, message, change] of refused) {
      await expect(loadBundle(variant(name, change, true)), name).rejects.toThrow(new RegExp(`screen screen: ${message}`));
    }
    // A screen published over another (the old screen/ left behind, or a changed one) is refused by its pin.
    await expect(loadBundle(variant('pinned', (b) => { b.created_at = 'another training'; }, true, false))).rejects.toThrow(/sha256 of screen.bundle\.json is [0-9a-f]{64}, bundle\.json says [0-9a-f]{64}: the screen bundle file was changed or truncated/);
    await expect(loadBundle(variant('outside', (b) => { b.screen = { dir: '..', threshold: 0.99 }; }))).rejects.toThrow(/screen\.dir: a folder inside the bundle/);
    await expect(loadBundle(variant('missing', (b) => { b.screen = { dir: 'nowhere', threshold: 0.99 }; }))).rejects.toThrow(/cannot read .*nowhere.bundle\.json/);
  });

  it('reads a v5 bundle, which has no screen, as before', async () => {
    const v5 = variant('v5', (b) => { b.schema_version = 5; delete b.screen; });
    const { results } = await scoreWith(v5);
    const { results: same } = await scoreWith(variant('v6-no-screen', (b) => { delete b.screen; }));
    expect(results).toEqual(same);
  });
});

describe.runIf(hasBuild() && hasPython() && hasSharedData())('train and the cascade', () => {
  it('makes LANL\'s default a cascade at 0.99, and --no-screen, --screen T and their misuse do what they say', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-cascade-train-'));
    try {
      const input = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
      const train = (name: string, ...extra: string[]) => runCli(['train', '--format', 'lanl', '--input', input, '--model-dir', join(dir, name), '--epochs', '1', '--steps-per-epoch', '5', ...extra]);
      for (const [name, extra, screen] of [['default', [], { dir: 'screen', threshold: 0.99 }], ['none', ['--no-screen'], undefined], ['half', ['--screen', '0.5'], { dir: 'screen', threshold: 0.5 }]] as const) {
        const r = train(name, ...extra);
        expect(r.status, r.stderr).toBe(0);
        expect(readJson(join(dir, name, 'bundle.json')).screen, name).toEqual(screen && { ...screen, bundle_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
        expect(existsSync(join(dir, name, 'screen')), name).toBe(screen !== undefined);
      }
      // a later training into the same folder without a screen leaves no stale one behind
      expect(train('default', '--no-screen').status).toBe(0);
      expect(existsSync(join(dir, 'default', 'screen'))).toBe(false);
      const misuse: [string[], RegExp][] = [
        [['--screen', '0.99', '--no-fusion'], /--screen: a cascade needs the fusion/],
        [['--screen', '0.99', '--context', '0'], /--screen: a cascade needs a model with context/],
        [['--screen', '1'], /--screen 1: expected a share between 0 and 1/],
        [['--screen', '0.9', '--no-screen'], /give --screen or --no-screen, not both/],
        [['--screen', '0.9', '--kind', 'charfreq'], /--screen: charfreq is not made a cascade/],
      ];
      for (const [extra, message] of misuse) {
        const r = train('misuse', ...extra);
        expect(r.status, extra.join(' ')).not.toBe(0);
        expect(r.stderr, extra.join(' ')).toMatch(message);
      }
      // --no-fusion alone trains no screen, without complaint
      expect(train('plain', '--no-fusion').status).toBe(0);
      expect(readJson(join(dir, 'plain', 'bundle.json')).screen).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
