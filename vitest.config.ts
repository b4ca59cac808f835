import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn git and HTTP servers; two cores here and in CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
