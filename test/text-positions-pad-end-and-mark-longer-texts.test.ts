// How a text fills its K positions: its pieces, `<end>` after them, `<more>` last when it has more than K, `<none>`
// everywhere when the event carries no such text; and the adapter with text tokens appends those positions.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { charPiecer } from '../src/tokenizer/text-char.js';
import { END, MORE, NO_TEXT, textFieldNames, textOf, textValues, withTextTokens } from '../src/tokenizer/text-tokens.js';

describe('text positions', () => {
  it('pads, marks and fills', () => {
    expect(textValues(['a', 'b'], 4)).toEqual(['a', 'b', END, END]);
    expect(textValues(['a', 'b', 'c', 'd'], 4)).toEqual(['a', 'b', 'c', 'd']);
    expect(textValues(['a', 'b', 'c', 'd', 'e'], 4)).toEqual(['a', 'b', 'c', MORE]);
    expect(textValues(undefined, 3)).toEqual([NO_TEXT, NO_TEXT, NO_TEXT]);
    expect(textFieldNames({ fields: ['uri', 'query'], max_tokens: 2 })).toEqual(['uri#1', 'uri#2', 'query#1', 'query#2']);
  });

  it('finds the text in the message, a flat key or a nested dotted key, and nothing else', () => {
    const event = (raw: unknown, text?: string) => ({ raw, ...(text !== undefined ? { text } : {}) }) as Pick<CanonicalEvent, 'raw' | 'text'>;
    expect(textOf(event('line', 'Accepted password'), 'text')).toBe('Accepted password');
    expect(textOf(event({ uri: '/a' }), 'uri')).toBe('/a');
    expect(textOf(event({ 'user_agent.original': 'curl/8' }), 'user_agent.original')).toBe('curl/8');
    expect(textOf(event({ user_agent: { original: 'curl/8' } }), 'user_agent.original')).toBe('curl/8');
    expect(textOf(event({ uri: 7 }), 'uri')).toBeUndefined();
    expect(textOf(event({ uri: '' }), 'uri')).toBeUndefined();
    expect(textOf(event('a plain line'), 'uri')).toBeUndefined();
    expect(textOf(event({}), '__proto__')).toBeUndefined();
  });

  it('appends the positions to the adapter\'s fields and to each event', () => {
    const plain = createAdapter('zeek', { log_type: 'dns' });
    const adapter = withTextTokens(plain, { spec: { mode: 'char', fields: ['query'], max_tokens: 3 }, piecer: charPiecer });
    expect(adapter.fieldNames).toEqual([...plain.fieldNames, 'query#1', 'query#2', 'query#3']);
    const doc = { ts: 1700000000, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.orig_p': 5353, 'id.resp_h': '10.0.0.2', 'id.resp_p': 53, proto: 'udp', query: 'example.com', qtype_name: 'A' };
    const e = adapter.parse(doc, { file: 'x', line: 1 }) as CanonicalEvent;
    const base = plain.parse(doc, { file: 'x', line: 1 }) as CanonicalEvent;
    expect(e.fields).toEqual([...base.fields, 'e', 'x', MORE]);
  });
});
