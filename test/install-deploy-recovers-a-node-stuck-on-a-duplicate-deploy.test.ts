// The installer's deploy against the states a 2.19.6 node was seen in: restarted while the model was deployed, it
// re-deploys the model itself, and a deploy sent meanwhile fails as a duplicate and leaves the node holding the model
// as DEPLOYING in its cache while the model reads DEPLOY_FAILED; every later deploy then fails at once, until an
// undeploy clears the entry. A real node cannot be put in that state on demand (it takes a restart at the right
// moment), so a stand-in ML Commons keeps the node's cache and the model's state apart the way the node did.
import { afterEach, describe, expect, it } from 'vitest';
import { OpenSearchError } from '../src/core/errors.js';
import { deployModel } from '../src/install/ml-commons-api.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { startUpstream, type Upstream } from './support/sidecar-fixture.js';

const ID = 'm1';

/** The node's view: the model's stored state, and what the node's own cache holds for it (null: nothing). */
interface StandIn {
  state: string;
  cache: null | 'DEPLOYING' | 'DEPLOYED';
  /** Reads of the model before a deploy in the cache completes (Infinity: never, a stale entry). */
  deployReads: number;
  /** Every deploy fails whatever the cache holds (a connector the node cannot reach, say). */
  alwaysFails?: boolean;
}

let upstream: Upstream | undefined;
let client: ReturnType<typeof createOpenSearchClient> | undefined;
afterEach(async () => {
  await client?.close();
  await upstream?.close();
});

async function standIn(node: StandIn): Promise<{ calls: () => string[]; client: ReturnType<typeof createOpenSearchClient> }> {
  let reads = 0;
  upstream = await startUpstream((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === `/_plugins/_ml/models/${ID}`) {
      if (node.cache === 'DEPLOYING' && ++reads > node.deployReads) {
        node.cache = 'DEPLOYED';
        node.state = 'DEPLOYED';
      }
      return json({ name: 'seqsentry-sidecar', model_state: node.state, algorithm: 'REMOTE' });
    }
    if (req.url === `/_plugins/_ml/models/${ID}/_deploy`) {
      if (node.cache !== null || node.alwaysFails) {
        node.state = 'DEPLOY_FAILED'; // "Duplicate deploy model task": the task fails, the cache keeps its entry
      } else {
        node.cache = 'DEPLOYING';
        node.state = 'DEPLOYING';
        reads = 0;
        node.deployReads = 1;
      }
      return json({ task_id: 't', task_type: 'DEPLOY_MODEL', status: 'CREATED' });
    }
    if (req.url === `/_plugins/_ml/models/${ID}/_undeploy`) {
      node.cache = null;
      node.state = 'UNDEPLOYED';
      return json({});
    }
    res.writeHead(404).end();
  });
  client = createOpenSearchClient({ url: upstream.url, tls: { reject_unauthorized: true }, request_timeout_ms: 5_000 });
  const calls = () => upstream!.requests.filter((r) => r.method === 'POST').map((r) => r.url.split('/').at(-1)!);
  return { calls, client };
}

describe('deploying the sidecar model', () => {
  it('undeploys a model the node holds as DEPLOYING while it reads DEPLOY_FAILED, then deploys it', async () => {
    const { calls, client } = await standIn({ state: 'DEPLOY_FAILED', cache: 'DEPLOYING', deployReads: Infinity });
    const model = await deployModel(client, ID);
    expect(model.model_state).toBe('DEPLOYED');
    expect(calls()).toEqual(['_deploy', '_undeploy', '_deploy']);
  });

  it('sends no deploy while another one (the node re-deploying after a restart) is under way', async () => {
    const { calls, client } = await standIn({ state: 'DEPLOYING', cache: 'DEPLOYING', deployReads: 3 });
    const model = await deployModel(client, ID);
    expect(model.model_state).toBe('DEPLOYED');
    expect(calls()).toEqual([]);
  });

  it('takes a DEPLOYING nobody here sent that does not end for a stale entry: undeploys, then deploys', async () => {
    const { calls, client } = await standIn({ state: 'DEPLOYING', cache: 'DEPLOYING', deployReads: Infinity });
    const model = await deployModel(client, ID, 20_000, 3, 1_000);
    expect(model.model_state).toBe('DEPLOYED');
    expect(calls().filter((c) => c !== '_undeploy')).toEqual(['_deploy']);
    expect(calls()[0]).toBe('_undeploy');
  });

  it('gives up after the attempts, naming the state and where to look', async () => {
    const { calls, client } = await standIn({ state: 'UNDEPLOYED', cache: null, deployReads: 1, alwaysFails: true });
    const err = await deployModel(client, ID, 30_000, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenSearchError);
    expect((err as Error).message).toMatch(/DEPLOY_FAILED after 3 deploys.*_plugins\/_ml\/tasks/);
    expect(calls().filter((c) => c === '_deploy')).toHaveLength(3);
  });
});
