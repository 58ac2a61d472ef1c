// The development node of scripts/opensearch.mjs (Maven Central distribution, cached), for the demo: started when
// not running, stopped afterwards only if this process started it.
import { OpenSearchError } from '../core/errors.js';

// The subset of scripts/opensearch.mjs used here (the script is plain JS and has no type declarations).
interface LocalNodeScript {
  resolveConfig(opts?: { v3?: boolean }): unknown;
  startOpenSearch(cfg: unknown, opts: { anyPort?: boolean }): Promise<{ url: string; alreadyRunning?: boolean }>;
  stopOpenSearch(cfg: unknown): Promise<unknown>;
}

export interface LocalOpenSearch {
  url: string;
  /** Stops the node if this process started it (true); a node that was already running is left alone (false). */
  release(): Promise<boolean>;
}

export async function connectLocalOpenSearch(say: (line: string) => void): Promise<LocalOpenSearch> {
  const script = (await import(new URL('../../scripts/opensearch.mjs', import.meta.url).href)) as LocalNodeScript;
  const cfg = script.resolveConfig({ v3: process.env.SEQSENTRY_OPENSEARCH_LINE === '3' });
  say('starting the local OpenSearch node (the first run downloads it from Maven Central, about 450 MB)');
  let node: { url: string; alreadyRunning?: boolean };
  try {
    node = await script.startOpenSearch(cfg, { anyPort: true });
  } catch (err) {
    throw new OpenSearchError('start the local node', `${(err as Error).message} (pass --no-opensearch to skip the live stage, or --opensearch-url URL)`, undefined, undefined, { cause: err });
  }
  return {
    url: node.url,
    release: async () => {
      if (node.alreadyRunning) return false;
      await script.stopOpenSearch(cfg);
      return true;
    },
  };
}
