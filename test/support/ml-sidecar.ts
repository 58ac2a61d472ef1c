// The sidecar address every `.os` test that runs `install` uses. The connector, model and trusted-endpoint setting
// are cluster-wide, and test files run in parallel: identical install options keep each file's install a no-op for
// the others. The round-trip test listens on this port; the others only name it.
export const TEST_SIDECAR_PORT = Number(process.env.SEQSENTRY_TEST_SIDECAR_PORT ?? 18642);
export const TEST_SIDECAR_URL = `http://127.0.0.1:${TEST_SIDECAR_PORT}`;
export const TEST_SIDECAR_TOKEN = 'seqsentry-os-test-token';
// Replacing the patterns another test file (the demo's) may have installed on the shared node, so each file's install is its own.
export const TEST_INSTALL_OPTIONS = Object.freeze({ sidecarUrl: TEST_SIDECAR_URL, token: TEST_SIDECAR_TOKEN, indexPatterns: ['seqsentry-itest-*'], replaceIndexPatterns: true });

/**
 * Takes a cross-process lock (a directory in the temp dir) and returns its release. Test files run in parallel and
 * share one cluster: installs must not race on the same connector and model, and only one file at a time may listen
 * on TEST_SIDECAR_PORT. A lock older than `staleMs` is taken as abandoned by a killed run.
 */
export async function acquireLock(name: string, staleMs = 120_000): Promise<() => void> {
  const { mkdirSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const lock = join(tmpdir(), `seqsentry-os-test-${name}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released between the two calls: try again.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Runs `fn` while holding the install lock. */
export async function withInstallLock<T>(fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock('install');
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Holds TEST_SIDECAR_PORT for one test file (whatever listens there answers the cluster's ML Commons calls). */
export const holdSidecarPort = (): Promise<() => void> => acquireLock('sidecar-port', 600_000);
