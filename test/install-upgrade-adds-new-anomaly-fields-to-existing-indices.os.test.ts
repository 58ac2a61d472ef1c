// An upgrade's new anomaly fields reach the indices already made from the old template: a template applies at index
// creation, so install adds the fields an existing index lacks to its mapping (and only those: an existing field is
// left as it is). Against a real node: an event index made from an older component template gets anomaly.entity and
// anomaly.time, which the history refill and aggregate search.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { missingProperties } from '../src/install/step-templates.js';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { TEST_INSTALL_OPTIONS, withInstallLock } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os } from './support/os-helpers.js';

let url = '';
const index = `seqsentry-itest-upgrade-${process.pid}`;

afterAll(async () => {
  if (url) await deleteIndex(url, index);
});
beforeEach((ctx) => {
  url = requireOpenSearch(ctx);
});

describe('install after an upgrade of the anomaly fields', () => {
  it('computes the properties a mapping lacks, leaving existing ones alone', () => {
    const have = { anomaly: { properties: { raw: { type: 'float' } } }, message: { type: 'text' } };
    const wanted = { anomaly_score: { type: 'float' }, anomaly: { properties: { raw: { type: 'float', index: false }, entity: { type: 'keyword' } } } };
    expect(missingProperties(have, wanted)).toEqual({ anomaly_score: { type: 'float' }, anomaly: { properties: { entity: { type: 'keyword' } } } });
    expect(missingProperties(wanted as never, wanted)).toBeNull();
  });

  it('adds the new fields to an event index made from the older template', () => withInstallLock(async () => {
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    try {
      await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
      // an older version of the component template, and an event index made from it
      const current = (await os(url, 'GET', '/_component_template/seqsentry-anomaly-fields')).json.component_templates[0].component_template;
      const older = { version: 2, _meta: { schema_version: 2 }, template: { mappings: { properties: { anomaly_score: { type: 'float' }, anomaly: { type: 'object', dynamic: false, properties: { is_anomaly: { type: 'boolean' }, raw: { type: 'float' } } } } } } };
      expect((await os(url, 'PUT', '/_component_template/seqsentry-anomaly-fields', older)).status).toBe(200);
      expect((await os(url, 'PUT', `/${index}`)).status).toBe(200);
      const fieldsOf = async () => Object.keys((await os(url, 'GET', `/${index}/_mapping`)).json[index].mappings.properties.anomaly.properties).sort();
      expect(await fieldsOf()).toEqual(['is_anomaly', 'raw']);
      const { items } = await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
      expect(items.find((i) => i.id === 'seqsentry-anomaly-fields')?.detail).toMatch(/added its new fields to \d+ existing indices/);
      expect(await fieldsOf()).toEqual(Object.keys(current.template.mappings.properties.anomaly.properties).sort());
    } finally {
      await client.close();
    }
  }));
});
