// The sidecar address every `.os` test that runs `install` uses. The connector, model and trusted-endpoint setting
// are cluster-wide, and test files run in parallel: identical install options keep each file's install a no-op for
// the others. The round-trip test listens on this port; the others only name it.
export const TEST_SIDECAR_PORT = Number(process.env.SEQSENTRY_TEST_SIDECAR_PORT ?? 18642);
export const TEST_SIDECAR_URL = `http://127.0.0.1:${TEST_SIDECAR_PORT}`;
export const TEST_SIDECAR_TOKEN = 'seqsentry-os-test-token';
export const TEST_INSTALL_OPTIONS = Object.freeze({ sidecarUrl: TEST_SIDECAR_URL, token: TEST_SIDECAR_TOKEN, indexPatterns: ['seqsentry-itest-*'] });

/**
 * Runs `fn` while holding a cross-process lock (a directory in the temp dir), so installs from test files running in
 * parallel do not race on the same connector and model. A lock older than two minutes is taken as abandoned.
 */
export async function withInstallLock<T>(fn: () => Promise<T>): Promise<T> {
  const { mkdirSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const lock = join(tmpdir(), 'seqsentry-os-test-install.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released between the two calls: try again.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
