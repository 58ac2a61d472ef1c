import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { ConfigError } from '../src/core/errors.js';

const src = { file: 'docs.jsonl', line: 3 };
const doc = {
  '@timestamp': '2026-11-02T08:15:00Z',
  user: { name: 'alice', domain: 'CORP' },
  source: { ip: '10.0.0.5' },
  host: { name: 'fs01' },
  event: { action: 'logged-in', outcome: 'success' },
  winlog: { event_data: { LogonType: '3', AuthenticationPackageName: 'Kerberos' } },
};

describe('ecs adapter', () => {
  it('maps nested ECS documents and search hits to canonical fields', () => {
    const ecs = createAdapter('ecs');
    const e = ecs.parse(JSON.stringify(doc), src);
    expect(e?.time).toBe(Date.parse('2026-11-02T08:15:00Z') / 1000);
    expect(ecs.fieldNames).toEqual(['user', 'user_domain', 'src_host', 'dst_host', 'action', 'outcome', 'logon_type', 'auth_package']);
    expect(e?.fields).toEqual(['alice', 'CORP', '10.0.0.5', 'fs01', 'logged-in', 'success', '3', 'Kerberos']);
    expect(e?.entities).toEqual({ user: 'alice', src_host: '10.0.0.5', dst_host: 'fs01' });
    expect(ecs.parse({ _index: 'auth', _source: doc }, src)?.fields[0]).toBe('alice');
  });

  it('reads flat dotted keys and writes ? for absent fields', () => {
    const e = createAdapter('ecs').parse(JSON.stringify({ '@timestamp': 1_700_000_000_000, 'user.name': 'bob', 'event.outcome': 'failure' }), src);
    expect(e?.time).toBe(1_700_000_000);
    expect(e?.fields).toEqual(['bob', '?', '?', '?', '?', 'failure', '?', '?']);
  });

  it('lets a user override the field map', () => {
    const ecs = createAdapter('ecs', { fields: { user: ['user.id'], device: ['device.id'] } });
    const e = ecs.parse({ '@timestamp': '2026-11-02T08:15:00Z', user: { id: 'u-42' }, device: { id: 'laptop-7' } }, src);
    expect(ecs.fieldNames.at(-1)).toBe('device');
    expect(e?.fields[0]).toBe('u-42');
    expect(e?.fields.at(-1)).toBe('laptop-7');
  });

  it('gives located errors for bad JSON, a missing timestamp and unknown options', () => {
    const ecs = createAdapter('ecs');
    expect(() => ecs.parse('{"user": ', src)).toThrow(/^docs\.jsonl:3: invalid JSON/);
    expect(() => ecs.parse('{"user": {"name": "x"}}', src)).toThrow('docs.jsonl:3: field @timestamp: no timestamp');
    expect(() => ecs.parse('{"@timestamp": "yesterday", "user": {"name": "x"}}', src)).toThrow('field @timestamp: not a timestamp');
    expect(() => ecs.parse('{"@timestamp": "2026-11-02T08:15:00Z", "foo": 1}', src)).toThrow('none of the mapped fields is present');
    expect(() => createAdapter('ecs', { feilds: {} })).toThrow(ConfigError);
  });
});
