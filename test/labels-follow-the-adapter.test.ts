// Label files are read by the adapter's labelEntities, not by fixed names: a line is `time,<their values>`,
// a line of another shape is refused with its file, line and the columns expected, and events match by the same
// entities. Every adapter's label entities are entities its events carry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../src/adapters/registry.js';
import { eventLabelKey, labelledValues, readLabels } from '../src/eval/labels.js';

describe('labels follow the adapter', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seqsentry-labels-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('reads the columns an entity list names and matches events by those entities', async () => {
    const labels = await readLabels(await file('two.txt', '100,U1@D,C9\n\n100.0,U1@D,C9\n250,U2@D,C3\n'), ['user', 'dst_host']);
    expect(labels).toMatchObject({ lines: 3, entities: ['user', 'dst_host'] });
    expect(labels.keys.size).toBe(2);
    const key = eventLabelKey(labels, 100, { user: 'U1@D', src_host: 'C7', dst_host: 'C9' });
    expect(labels.keys.get(key!)).toBe(2);
    expect(eventLabelKey(labels, 100, { user: 'U1@D', src_host: 'C7', dst_host: 'C8' })).not.toBe(key);
    // An event without one of the key's entities has no key: it matches no label rather than a wrong one.
    expect(eventLabelKey(labels, 100, { user: 'U1@D' })).toBeUndefined();
    expect([...labelledValues(labels, 'dst_host')].sort()).toEqual(['C3', 'C9']);
    expect(() => labelledValues(labels, 'src_host')).toThrow(/no column for src_host \(columns: time,user,dst_host\)/);
  });

  it('refuses a line of another shape with its location and the columns expected', async () => {
    const lanlShaped = await file('four.txt', '100,U1@D,C9\n101,U1@D,C7,C9\n');
    await expect(readLabels(lanlShaped, ['user', 'dst_host'])).rejects.toThrow(`labels ${lanlShaped}:2: expected 3 comma-separated columns (time,user,dst_host), found 4`);
    const empty = await file('empty.txt', '100,U1@D,\n');
    await expect(readLabels(empty, ['user', 'dst_host'])).rejects.toThrow(`labels ${empty}:1: empty dst_host`);
    const badTime = await file('time.txt', 'noon,U1@D,C9\n');
    await expect(readLabels(badTime, ['user', 'dst_host'])).rejects.toThrow(`labels ${badTime}:1: time is not a number: "noon"`);
  });

  it('gives every adapter label entities its events carry', () => {
    for (const [name, factory] of Object.entries(ADAPTERS)) {
      const adapter = factory.create();
      expect(adapter.labelEntities.length, name).toBeGreaterThan(0);
      for (const e of adapter.labelEntities) expect(adapter.entityNames, `${name}: ${e}`).toContain(e);
    }
  });
});
