// Reads a request body up to a byte limit (413 beyond it), gunzipping/inflating it when the shipper compressed it.
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { HttpError } from './http-errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** A body limit and the config key that sets it (named in the 413). */
export interface BodyLimit {
  bytes: number;
  key: string;
}

export async function readBody(req: IncomingMessage, { bytes: limit, key }: BodyLimit): Promise<Buffer> {
  const tooLarge = (size: string, limit: number): HttpError =>
    new HttpError(413, 'content_too_long_exception', `request body ${size} exceeds the limit of ${limit} bytes (${key})`, 'too_large', { connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard what arrives; the connection is closed after the 413
    throw tooLarge(`of ${declared} bytes`, limit);
  }
  // Event listeners, not for-await: leaving a for-await loop early destroys the socket before the 413 is sent.
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume(); // discard the rest; the connection is closed after the 413
      reject(tooLarge(`of more than ${limit} bytes`, limit));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, Math.min(size, limit))));
    // The client went away mid-body (a shipper's timeout, a killed process): its request, not the sidecar, failed.
    // 499 as proxies count it, logged and counted as a refused request, never as an internal error; nobody to answer.
    req.once('error', (err) => reject(new HttpError(499, 'client_closed_request', `the client closed the connection before its request body was read (${err.message})`, 'bad_request', {}, true)));
  });
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || raw.length === 0) return raw;
  const inflater = encoding === 'gzip' || encoding === 'x-gzip' ? gunzipAsync : encoding === 'deflate' ? inflateAsync : null;
  if (!inflater) throw new HttpError(415, 'illegal_argument_exception', `unsupported Content-Encoding "${encoding}" (gzip and deflate are)`, 'bad_request');
  try {
    return await inflater(raw, { maxOutputLength: limit });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('after decompression', limit);
    throw new HttpError(400, 'parse_exception', `cannot decompress the ${encoding} body: ${e.message}`, 'bad_request');
  }
}
