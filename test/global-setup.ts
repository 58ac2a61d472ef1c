// Vitest global setup: brings up OpenSearch once per run, only when the run holds a `*.os.test.ts` file.
import type { TestProject } from 'vitest/node';
import {
  OPENSEARCH_TEST_SUFFIX, OpenSearchUnavailableError, acquireOpenSearch, isCi, type AcquiredOpenSearch,
} from './support/opensearch.js';

const log = (msg: string) => process.stderr.write(`[test:opensearch] ${msg}\n`);

/** Why this run needs no OpenSearch, or null when it does. */
function notNeeded(project: TestProject): string | null {
  if (/^(1|true)$/i.test(process.env.SEQSENTRY_NO_OPENSEARCH ?? '')) return 'SEQSENTRY_NO_OPENSEARCH is set';
  // Vitest records the run's files before global setup runs, after CLI filters, --changed and --project.
  const files = project.vitest.state.getPaths();
  if (files.length === 0) return null; // unknown (API changed?): be safe and start it
  return files.some((f) => f.endsWith(OPENSEARCH_TEST_SUFFIX)) ? null : `no *${OPENSEARCH_TEST_SUFFIX} file in this run`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const skip = notNeeded(project);
  if (skip) {
    project.provide('opensearchUrl', '');
    project.provide('opensearchUnavailable', skip);
    return async () => {};
  }
  let acquired: AcquiredOpenSearch;
  try {
    acquired = await acquireOpenSearch(log);
  } catch (e) {
    const reason = e instanceof OpenSearchUnavailableError ? e.message : (e as Error).stack ?? String(e);
    if (isCi()) throw new Error(`CI=true and ${reason}`);
    log(`${reason}\nintegration tests (*${OPENSEARCH_TEST_SUFFIX}) will be skipped`);
    project.provide('opensearchUrl', '');
    project.provide('opensearchUnavailable', reason.replace(/\n\s*/g, ' '));
    return async () => {};
  }
  log(`OpenSearch (${acquired.source}) at ${acquired.url}`);
  project.provide('opensearchUrl', acquired.url);
  project.provide('opensearchUnavailable', '');
  process.env.OPENSEARCH_URL = acquired.url;
  return async () => {
    await acquired.release();
  };
}
