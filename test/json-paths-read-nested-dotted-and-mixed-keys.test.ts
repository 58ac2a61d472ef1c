// getPath (json-record.ts) reads a dotted path from nested objects, from flat dotted keys and from any mix of the two,
// trying split points first dot first; its split points are cut once per path and reused, so the second and later
// reads of a path (and a path read from documents of different shapes) must find what the first did.
import { describe, expect, it } from 'vitest';
import { getPath } from '../src/adapters/json-record.js';

const shapes: Array<[string, Record<string, unknown>]> = [
  ['nested', { winlog: { event_data: { AuthenticationPackageName: 'NTLM' } } }],
  ['flat', { 'winlog.event_data.AuthenticationPackageName': 'NTLM' }],
  ['flat head', { 'winlog.event_data': { AuthenticationPackageName: 'NTLM' } }],
  ['flat tail', { winlog: { 'event_data.AuthenticationPackageName': 'NTLM' } }],
];

describe('getPath', () => {
  it.each(shapes)('reads a %s document, the first time and every time after', (_, doc) => {
    for (let i = 0; i < 3; i++) expect(getPath(doc, 'winlog.event_data.AuthenticationPackageName')).toBe('NTLM');
  });

  it('takes the first split that holds the value, and goes on past one that does not', () => {
    // `a` holds no `b.c`; the flat key `a.b` then holds `c`.
    expect(getPath({ a: { x: 1 }, 'a.b': { c: 'second' } }, 'a.b.c')).toBe('second');
    // Both hold it: the first split point (the nested `a`) wins.
    expect(getPath({ a: { b: { c: 'nested' } }, 'a.b': { c: 'flat' } }, 'a.b.c')).toBe('nested');
  });

  it('finds nothing through arrays, null or scalars, and nothing that is not there', () => {
    expect(getPath({ a: [{ b: 1 }] }, 'a.b')).toBeUndefined();
    expect(getPath({ a: null }, 'a.b')).toBeUndefined();
    expect(getPath({ a: 'text' }, 'a.length')).toBeUndefined();
    expect(getPath({}, 'no.such.path')).toBeUndefined();
    expect(getPath({ plain: 0 }, 'plain')).toBe(0);
  });
});
