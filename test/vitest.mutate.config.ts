// The tests that exercise scripts/core in-process, for mutation testing (npm run mutate). Tests
// that only drive other processes (the platform server, the CLI through npm) cannot kill a mutant
// of the core, so they are left out here to keep each mutant's run short.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/commands/**/*.test.ts',
      'test/deploy/**/*.test.ts',
      'test/github/gate-report.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
