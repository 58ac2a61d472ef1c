// Finds an OpenSearch for the test run (env URL → testcontainers → local node) and hands it to tests.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the OpenSearch for this run, or '' when there is none. */
    opensearchUrl: string;
    /** Why there is no OpenSearch ('' when there is one). */
    opensearchUnavailable: string;
  }
}

/** Integration tests against OpenSearch are named `*.os.test.ts`; the node starts only when one is in the run. */
export const OPENSEARCH_TEST_SUFFIX = '.os.test.ts';

export const isCi = (): boolean => /^(1|true)$/i.test(process.env.CI ?? '');

type Log = (msg: string) => void;

export interface AcquiredOpenSearch {
  url: string;
  source: 'env' | 'testcontainers' | 'local';
  /** Stops what this run started; a no-op for a node it found already running. */
  release(): Promise<void>;
}

/** No OpenSearch could be had; `reasons` lists what each source said. */
export class OpenSearchUnavailableError extends Error {
  constructor(readonly reasons: string[]) {
    super(`no OpenSearch for the tests:\n  - ${reasons.join('\n  - ')}`);
    this.name = 'OpenSearchUnavailableError';
  }
}

// The subset of scripts/opensearch.mjs the harness uses (the script is plain JS and has no type declarations).
interface LocalNodeScript {
  resolveConfig(opts?: { v3?: boolean; secure?: boolean }): LocalNodeConfig;
  statusOpenSearch(cfg: LocalNodeConfig): Promise<{ running: boolean; ready: boolean; url: string | null; reason: string; ca_file?: string; credentials_file?: string }>;
  startOpenSearch(cfg: LocalNodeConfig, opts: { fresh?: boolean; anyPort?: boolean }): Promise<{ url: string; alreadyRunning: boolean }>;
  stopOpenSearch(cfg: LocalNodeConfig): Promise<unknown>;
  ML_DEV_SETTINGS: Record<string, unknown>;
}
interface LocalNodeConfig { version: string }

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

async function loadScript(): Promise<LocalNodeScript> {
  return (await import(pathToFileURL(join(repoRoot, 'scripts', 'opensearch.mjs')).href)) as LocalNodeScript;
}

async function answers(url: string, timeoutMs = 5000): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return err.cause?.code ?? err.cause?.message ?? err.message;
  }
}

/** The Docker endpoint testcontainers would use, as a socket path or host:port. */
function dockerEndpoint(): { path: string } | { host: string; port: number } | null {
  const dh = process.env.DOCKER_HOST;
  if (dh?.startsWith('unix://')) return { path: dh.slice('unix://'.length) };
  if (dh?.startsWith('tcp://')) {
    const u = new URL(dh.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port || 2375) };
  }
  const candidates = [
    '/var/run/docker.sock',
    process.env.XDG_RUNTIME_DIR && join(process.env.XDG_RUNTIME_DIR, 'docker.sock'),
    process.env.HOME && join(process.env.HOME, '.docker', 'run', 'docker.sock'),
  ].filter((p): p is string => !!p);
  const path = candidates.find((p) => existsSync(p));
  return path ? { path } : null;
}

/** True when a Docker engine answers `GET /_ping` within `timeoutMs`; never hangs. */
export function dockerAnswers(timeoutMs = 1500): Promise<boolean> {
  const endpoint = dockerEndpoint();
  if (!endpoint) return Promise.resolve(false);
  return new Promise((done) => {
    const sock = connect(endpoint);
    let reply = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.once('connect', () => sock.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n'));
    sock.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(/^HTTP\/1\.[01] 200/.test(reply));
    });
    sock.once('error', () => finish(false));
    sock.once('end', () => finish(/^HTTP\/1\.[01] 200/.test(reply)));
  });
}

async function viaTestcontainers(script: LocalNodeScript, log: Log): Promise<AcquiredOpenSearch> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { version } = script.resolveConfig({ v3: process.env.SEQSENTRY_OPENSEARCH_LINE === '3' });
  log(`starting opensearchproject/opensearch:${version} with testcontainers`);
  const container = await new GenericContainer(`opensearchproject/opensearch:${version}`)
    .withEnvironment({
      'discovery.type': 'single-node',
      DISABLE_SECURITY_PLUGIN: 'true',
      DISABLE_INSTALL_DEMO_CONFIG: 'true',
      OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx1g',
      'cluster.routing.allocation.disk.threshold_enabled': 'false',
    })
    .withExposedPorts(9200)
    .withWaitStrategy(Wait.forHttp('/_cluster/health?wait_for_status=yellow', 9200).forStatusCode(200))
    .withStartupTimeout(300_000)
    .start();
  const url = `http://${container.getHost()}:${container.getMappedPort(9200)}`;
  // Same ML settings as the local node. Inside a container, loopback is the container itself: a model server
  // on the host is reached as host.testcontainers.internal (after TestContainers.exposeHostPorts).
  const ml = { ...script.ML_DEV_SETTINGS };
  ml['plugins.ml_commons.trusted_connector_endpoints_regex'] = [
    ...(ml['plugins.ml_commons.trusted_connector_endpoints_regex'] as string[]),
    '^http://host\\.testcontainers\\.internal:.*$',
  ];
  const res = await fetch(`${url}/_cluster/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ persistent: ml }),
  });
  if (!res.ok) {
    await container.stop();
    throw new Error(`applying ML settings failed: HTTP ${res.status} ${await res.text()}`);
  }
  return { url, source: 'testcontainers', release: async () => void (await container.stop()) };
}

async function viaLocalNode(script: LocalNodeScript, log: Log): Promise<AcquiredOpenSearch> {
  const cfg = script.resolveConfig({ v3: process.env.SEQSENTRY_OPENSEARCH_LINE === '3' });
  const status = await script.statusOpenSearch(cfg);
  if (status.running && status.ready && status.url) {
    log(`using the local OpenSearch ${cfg.version} already running at ${status.url} (left running afterwards)`);
    return { url: status.url, source: 'local', release: async () => {} };
  }
  // The harness owns this node: fresh data each run, any free port, stopped at teardown.
  const node = await script.startOpenSearch(cfg, { fresh: !status.running, anyPort: true });
  return {
    url: node.url,
    source: 'local',
    release: async () => {
      if (!node.alreadyRunning) await script.stopOpenSearch(cfg);
    },
  };
}

/** The secured dev node (scripts/opensearch.mjs --secure): its https URL, CA file and users' passwords. */
export interface SecuredNode {
  url: string;
  version: string;
  caFile: string;
  /** admin, seqsentry-sidecar, seqsentry-shipper, seqsentry-installer → password */
  users: Record<string, string>;
  release(): Promise<void>;
}

/** Starts the secured node (or uses the one running), for the tests that run against it. */
export async function acquireSecuredNode(): Promise<SecuredNode> {
  const script = await loadScript();
  const cfg = script.resolveConfig({ secure: true });
  let status = await script.statusOpenSearch(cfg);
  let started: { alreadyRunning: boolean } | null = null;
  if (!(status.running && status.ready)) {
    started = await script.startOpenSearch(cfg, { fresh: !status.running, anyPort: true });
    status = await script.statusOpenSearch(cfg);
  }
  if (!status.url || !status.ca_file || !status.credentials_file) throw new Error(`the secured node answers no URL, CA or credentials: ${JSON.stringify(status)}`);
  return {
    url: status.url,
    version: cfg.version,
    caFile: status.ca_file,
    users: JSON.parse(readFileSync(status.credentials_file, 'utf8')) as Record<string, string>,
    release: async () => {
      if (started && !started.alreadyRunning) await script.stopOpenSearch(cfg);
    },
  };
}

/**
 * OPENSEARCH_URL when set (no fallback: it states intent) → testcontainers when a Docker engine answers
 * → the local node from scripts/opensearch.mjs. SEQSENTRY_OPENSEARCH_SOURCE=local|testcontainers forces one.
 */
export async function acquireOpenSearch(log: Log): Promise<AcquiredOpenSearch> {
  const envUrl = process.env.OPENSEARCH_URL?.replace(/\/+$/, '');
  if (envUrl) {
    const problem = await answers(envUrl);
    if (problem) throw new OpenSearchUnavailableError([`OPENSEARCH_URL=${envUrl} does not answer: ${problem}`]);
    return { url: envUrl, source: 'env', release: async () => {} };
  }
  const forced = process.env.SEQSENTRY_OPENSEARCH_SOURCE;
  const script = await loadScript();
  const reasons: string[] = [];
  if (forced !== 'local') {
    if (await dockerAnswers()) {
      try {
        return await viaTestcontainers(script, log);
      } catch (e) {
        reasons.push(`testcontainers: ${(e as Error).message}`);
        log(`testcontainers failed, falling back to the local node: ${(e as Error).message}`);
      }
    } else {
      reasons.push('testcontainers: no Docker engine answered within 1.5 s');
    }
  }
  if (forced !== 'testcontainers') {
    try {
      return await viaLocalNode(script, log);
    } catch (e) {
      reasons.push(`local node (scripts/opensearch.mjs): ${(e as Error).message}`);
    }
  }
  throw new OpenSearchUnavailableError(reasons);
}

/**
 * For tests: the OpenSearch URL. Without one, fails in CI and skips elsewhere with the reason.
 * Call it in `beforeEach`/a test with the test context (`ctx.skip` needs it):
 *   beforeEach((ctx) => { url = requireOpenSearch(ctx); });
 */
export function requireOpenSearch(ctx: { skip: (note?: string) => void }): string {
  const url = inject('opensearchUrl');
  if (url) return url;
  const why = inject('opensearchUnavailable') ||
    `OpenSearch was not started: only files named *${OPENSEARCH_TEST_SUFFIX} get one`;
  if (isCi()) throw new Error(`OpenSearch required (CI=true): ${why}`);
  ctx.skip(`no OpenSearch: ${why}`);
  return ''; // not reached: skip() throws
}
