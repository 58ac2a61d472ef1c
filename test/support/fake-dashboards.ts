// A tiny HTTP server standing in for OpenSearch Dashboards' saved-objects API (Dashboards does not run on this
// machine): it records every request and keeps what was imported, so a second bulk_get sees it.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeDashboards {
  url: string;
  requests: RecordedRequest[];
  /** type:id → the object as imported. */
  stored: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** Objects of an ndjson file inside a multipart body (the part named "file"). */
export function importedObjects(body: string): Array<Record<string, any>> {
  const start = body.indexOf('\r\n\r\n', body.indexOf('name="file"'));
  const end = body.indexOf('\r\n--', start + 4);
  return body.slice(start + 4, end).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Over HTTPS with `tls` (PEM certificate and key), else plain HTTP. */
export async function startFakeDashboards(tls?: { cert: Buffer; key: Buffer }): Promise<FakeDashboards> {
  const requests: RecordedRequest[] = [];
  const stored = new Map<string, Record<string, unknown>>();
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers['osd-xsrf'] !== 'true' && req.method !== 'GET') return json(400, { statusCode: 400, error: 'Bad Request', message: 'Request must contain a osd-xsrf header.' });
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'POST' && path === '/api/saved_objects/_bulk_get') {
        const wanted = JSON.parse(body) as Array<{ type: string; id: string }>;
        return json(200, { saved_objects: wanted.map(({ type, id }) => stored.get(`${type}:${id}`) ?? { type, id, error: { statusCode: 404, message: 'Not found' } }) });
      }
      if (req.method === 'POST' && path === '/api/saved_objects/_import') {
        const objects = importedObjects(body);
        for (const o of objects) stored.set(`${o.type}:${o.id}`, o);
        return json(200, { success: true, successCount: objects.length });
      }
      const one = /^\/api\/saved_objects\/([^/]+)\/([^/]+)$/.exec(path);
      if (one) {
        const key = `${decodeURIComponent(one[1]!)}:${decodeURIComponent(one[2]!)}`;
        if (!stored.has(key)) return json(404, { statusCode: 404, error: 'Not Found', message: `Saved object [${key}] not found` });
        if (req.method === 'DELETE') stored.delete(key);
        return json(200, {});
      }
      return json(404, { statusCode: 404, error: 'Not Found' });
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stored,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
