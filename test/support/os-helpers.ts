// Small OpenSearch calls for integration tests (*.os.test.ts): search, count, delete an index.

export interface OsAnswer {
  status: number;
  json: any;
}

export async function os(url: string, method: string, path: string, body?: unknown): Promise<OsAnswer> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** All documents of an index (up to 1000), sorted by @timestamp, as _source objects with their _id. */
export async function allDocs(url: string, index: string): Promise<Array<Record<string, any> & { _id: string }>> {
  await os(url, 'POST', `/${index}/_refresh`);
  // No explicit match_all: OpenSearch 3 rewrites match_all + a sort on a date into a range on that date, which
  // drops the documents that lack it.
  const res = await os(url, 'POST', `/${index}/_search`, { size: 1000, sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }] });
  if (res.status !== 200) throw new Error(`search ${index}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.hits.hits.map((h: { _id: string; _source: Record<string, unknown> }) => ({ ...h._source, _id: h._id }));
}

export const uniqueIndex = (name: string): string => `seqsentry-test-${name}-${process.pid}-${Date.now().toString(36)}`;

export async function deleteIndex(url: string, index: string): Promise<void> {
  if (url) await os(url, 'DELETE', `/${index}?ignore_unavailable=true`);
}
