// The install record lives in `.seqsentry-state`, which the sidecar's account may write. Items added to it by hand
// (an admin's index template, a wildcard, an event index recorded as our data index, a monitor id of someone else's)
// are left alone by uninstall, which names them; review 2026-12-07: they were deleted, `*` every index template.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { putRecord, readRecord, type InstallRecord } from '../src/install/record.js';
import { uninstall } from '../src/install/uninstaller.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { acquireLock, holdSidecarPort, TEST_INSTALL_OPTIONS } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os } from './support/os-helpers.js';

const tag = `${process.pid}-${Date.now().toString(36)}`;
const victimIndex = `victim-evidence-${tag}`;
const adminTemplate = `admin-template-${tag}`;
let url = '';

describe('uninstall and a record edited by hand', () => {
  let client: OpenSearchClient;
  let original: InstallRecord | null = null;
  // Other .os files use the installed connector, model and pipeline: hold both locks while they are gone.
  const releases: Array<() => void> = [];

  beforeAll(async () => {
    releases.push(await holdSidecarPort(), await acquireLock('install'));
  });
  afterAll(async () => {
    try {
      if (client && original) await putRecord(client, 'seqsentry', original.version, original.items);
      if (url) {
        await deleteIndex(url, victimIndex);
        await os(url, 'DELETE', `/_index_template/${adminTemplate}`);
      }
    } finally {
      await client?.close();
      for (const r of releases.reverse()) r();
    }
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
    client ??= createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
  });

  it('names the forged items and deletes none of them', async () => {
    await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
    original = await readRecord(client, 'seqsentry');
    expect(original).not.toBeNull();
    expect((await os(url, 'PUT', `/${victimIndex}/_doc/evt1?refresh=true`, { message: 'Accepted password for attacker' })).status).toBe(201);
    expect((await os(url, 'PUT', `/_index_template/${adminTemplate}`, { index_patterns: [`admin-${tag}-*`], template: { settings: { number_of_shards: 1 } } })).status).toBe(200);
    const forged = [
      { kind: 'index_template', id: adminTemplate },
      { kind: 'index_template', id: '*' },
      { kind: 'component_template', id: 'seqsentry-x,logs-*' },
      { kind: 'entities_index', id: victimIndex },
      { kind: 'monitor', id: 'seqsentry-very-high-score', resource: '../../_cluster/settings' },
      { kind: 'saved_objects', id: 'config:7.10.2' },
    ];
    await putRecord(client, 'seqsentry', original!.version, [...forged, ...original!.items]);
    const forgedLines = (items: Awaited<ReturnType<typeof uninstall>>) => items.filter((i) => i.action === 'skip' && /left alone/.test(i.detail)).map((i) => `${i.kind} ${i.id}`).sort();
    const planned = await uninstall(client, { dryRun: true, deleteData: true });
    expect(forgedLines(planned)).toEqual(forged.map((f) => `${f.kind} ${f.id}`).sort());
    // the genuine items are still planned for removal
    expect(planned.find((i) => i.kind === 'entities_index' && i.id === 'seqsentry-entities')?.action).toBe('delete');
    const items = await uninstall(client, { dryRun: false, deleteData: true });
    expect(forgedLines(items)).toEqual(forged.map((f) => `${f.kind} ${f.id}`).sort());
    expect((await os(url, 'GET', `/${victimIndex}/_doc/evt1`)).json._source.message).toBe('Accepted password for attacker');
    expect((await os(url, 'GET', `/_index_template/${adminTemplate}`)).status).toBe(200);
    expect((await os(url, 'GET', '/_index_template')).json.index_templates.length).toBeGreaterThan(0);
    // put the content back for the other test files (afterAll restores the genuine record)
    await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
    original = await readRecord(client, 'seqsentry');
  });
});
