import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A bound for a hung test, not a race: on a loaded 2-core machine (CI running next to
    // another CI run) a test that starts platform servers or the CLI as processes took 16-31 s,
    // and 30 s failed tests that were right. No test asserts on time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests spawn git and HTTP servers; two cores here and in CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
