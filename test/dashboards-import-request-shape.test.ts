// The Dashboards saved-objects calls as OpenSearch Dashboards 2.x expects them: POST /api/saved_objects/_import?overwrite=true
// as multipart/form-data with the ndjson in the "file" part and osd-xsrf: true; bulk_get and delete carry the header too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkGet, deleteSavedObject, importSavedObjects } from '../src/install/dashboards-api.js';
import { startFakeDashboards, importedObjects, type FakeDashboards } from './support/fake-dashboards.js';

describe('the Dashboards saved-objects requests', () => {
  let osd: FakeDashboards;
  const objects = [
    { id: 'seqsentry-a', type: 'index-pattern', attributes: { title: 'logs-*' }, references: [], migrationVersion: { 'index-pattern': '7.6.0' } },
    { id: 'seqsentry-b', type: 'search', attributes: { title: 'b' }, references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: 'seqsentry-a' }] },
  ];
  const ndjson = objects.map((o) => JSON.stringify(o)).join('\n') + '\n';

  beforeAll(async () => {
    osd = await startFakeDashboards();
  });
  afterAll(() => osd.close());

  it('imports with overwrite, osd-xsrf and the ndjson as a multipart file', async () => {
    expect(await importSavedObjects({ url: osd.url, username: 'admin', password: 'pw' }, ndjson, 'seqsentry.ndjson')).toBe(2);
    const req = osd.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/saved_objects/_import?overwrite=true');
    expect(req.headers['osd-xsrf']).toBe('true');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
    expect(req.body).toContain('name="file"; filename="seqsentry.ndjson"');
    expect(importedObjects(req.body)).toEqual(objects);
  });

  it('reads stored objects with bulk_get and tells the missing ones', async () => {
    const got = await bulkGet({ url: osd.url }, [{ type: 'search', id: 'seqsentry-b' }, { type: 'visualization', id: 'seqsentry-none' }]);
    expect(got.get('search:seqsentry-b')?.references).toEqual(objects[1]!.references);
    expect(got.get('visualization:seqsentry-none')).toBeUndefined();
    const req = osd.requests.at(-1)!;
    expect([req.method, req.url, req.headers['osd-xsrf'], req.headers['content-type']]).toEqual(['POST', '/api/saved_objects/_bulk_get', 'true', 'application/json']);
    expect(JSON.parse(req.body)).toEqual([{ type: 'search', id: 'seqsentry-b' }, { type: 'visualization', id: 'seqsentry-none' }]);
  });

  it('deletes one object (a dry run only looks it up) and answers whether it was there', async () => {
    expect(await deleteSavedObject({ url: osd.url }, 'search', 'seqsentry-b', true)).toBe(true);
    expect(osd.requests.at(-1)!.method).toBe('GET');
    expect(await deleteSavedObject({ url: osd.url }, 'search', 'seqsentry-b', false)).toBe(true);
    expect([osd.requests.at(-1)!.method, osd.requests.at(-1)!.url, osd.requests.at(-1)!.headers['osd-xsrf']]).toEqual(['DELETE', '/api/saved_objects/search/seqsentry-b', 'true']);
    expect(await deleteSavedObject({ url: osd.url }, 'search', 'seqsentry-b', false)).toBe(false);
  });

  it('fails saying where when Dashboards does not answer', async () => {
    await expect(importSavedObjects({ url: 'http://127.0.0.1:1' }, ndjson, 'seqsentry.ndjson')).rejects.toThrow(/POST http:\/\/127\.0\.0\.1:1\/api\/saved_objects\/_import.*did not answer/);
  });
});
