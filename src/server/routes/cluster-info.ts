// GET / passed through to OpenSearch: shippers (Logstash, Vector) read the cluster version there before sending bulks.
import { OpenSearchUnreachableError, type OpenSearchHttp } from '../../opensearch/http.js';
import { HttpError, type Reply } from '../http-errors.js';

export async function handleClusterInfo(opensearch: OpenSearchHttp, search: string): Promise<Reply> {
  try {
    const res = await opensearch.request({ method: 'GET', path: `/${search}` });
    return { status: res.status, body: res.body, contentType: res.contentType ?? 'application/json; charset=UTF-8' };
  } catch (err) {
    if (!(err instanceof OpenSearchUnreachableError)) throw err;
    throw new HttpError(err.httpStatus, err.httpStatus === 504 ? 'timeout_exception' : 'connect_exception', err.message, 'upstream');
  }
}
