// A LANL line shipped as a document's `message` (rsyslog, Fluent Bit, the bulk proxy) reads like the line itself;
// a document without one is a located error naming the field.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { AdapterError } from '../src/core/errors.js';

const LINE = '1,C625$@DOM1,U147@DOM1,C625,C625,Negotiate,Batch,LogOn,Success';
const source = { file: '_bulk', line: 7 };

describe('lanl adapter on shipped documents', () => {
  const adapter = createAdapter('lanl');

  it('reads the message and ignores the other fields of the document', () => {
    const fromDoc = adapter.parse({ '@timestamp': '2026-01-05T00:00:01Z', message: LINE, host: { name: 'collector-1' } }, source);
    const fromLine = adapter.parse(LINE, source);
    expect(fromDoc).toEqual({ ...fromLine, raw: LINE });
    expect(fromDoc?.entities).toEqual({ user: 'C625$@DOM1', src_host: 'C625', dst_host: 'C625' });
  });

  it('refuses a document without a string message, or whose message is no event, naming source, line and field', () => {
    for (const doc of [{ msg: LINE }, { message: 42 }, { message: 'time,src_user,dst_user' }]) {
      let error: unknown;
      try {
        adapter.parse(doc, source);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).message).toMatch(/^_bulk:7: field message: /);
    }
    expect(() => adapter.parse({ message: '1,U1@DOM1,U1@DOM1,C1,C2' }, source)).toThrow(/_bulk:7: expected 9 comma-separated columns/);
  });
});
