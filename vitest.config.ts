// Test runner settings: real OpenSearch via test/global-setup.ts, two fork workers for the 2-core CI box.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // Global setup may download (~450 MB) and start OpenSearch on a fresh machine.
    hookTimeout: 600_000,
    // Stopping the node waits up to 30 s for a clean shutdown before SIGKILL.
    teardownTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
