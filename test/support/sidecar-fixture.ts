// Test helpers for `seqsentry serve`: a sidecar on 127.0.0.1 with a trained model, a recording upstream, a client.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadServeConfig } from '../../src/config/load-serve-config.js';
import { startSidecar, type Sidecar } from '../../src/server/sidecar.js';
import { ecsModel } from './model-fixture.js';

export const TOKEN = 'test-token-0123456789abcdef';

/**
 * Starts a sidecar with the fixture model on a free port, scoring at once (no reordering window unless `settings`
 * give one). `settings` are dotted config keys
 * (e.g. { 'opensearch.url': upstream.url, max_body_bytes: 2048 }).
 */
export async function startTestSidecar(settings: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<Sidecar> {
  const config = loadServeConfig({
    env: { SEQSENTRY_TOKEN: TOKEN, ...env },
    overrides: { model_dir: await ecsModel(), 'listen.port': 0, 'opensearch.url': 'http://127.0.0.1:9', 'history.refill': false, 'history.reorder_window_ms': 0, ...settings },
  });
  return startSidecar(config);
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One HTTP call with the test token unless `token` says otherwise (null: no Authorization header). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: string | Buffer | unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined; // not JSON (e.g. /metrics): tests read `text`
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Bulk NDJSON from [action, source?] pairs. */
/** An unlabelled series' value in the sidecar's /metrics, or undefined when it is not shown. */
export async function metricValue(url: string, name: string): Promise<number | undefined> {
  const text = (await call(url, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

export function ndjson(...lines: unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Upstream {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server standing in for OpenSearch where a test needs to see exactly what was forwarded or to
 * make OpenSearch answer in a particular way. `answer` decides the reply (default: 200 `{"took":1,"errors":false}`).
 */
export async function startUpstream(answer?: (req: RecordedRequest, res: ServerResponse) => void | Promise<void>): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      if (answer) return void Promise.resolve(answer(rec, res)).catch(() => res.destroy());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"took":1,"errors":false,"items":[]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A bulk answer with one created item per forwarded action, as OpenSearch gives. */
export function answerEach(body: string): string {
  const lines = body.split('\n').filter((l) => l !== '');
  const items = [];
  for (let i = 0; i < lines.length; i += 2) {
    const [action, meta] = Object.entries(JSON.parse(lines[i]!) as Record<string, { _index?: string }>)[0]!;
    items.push({ [action]: { _index: meta._index ?? 'path', status: 201, result: 'created' } });
  }
  return JSON.stringify({ took: 2, errors: false, items });
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}
