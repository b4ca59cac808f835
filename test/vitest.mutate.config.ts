// The tests of scripts/core as data in, findings out, for mutation testing (npm run mutate).
// The core is pure, so its tests need no git, no server and no process, and each of Stryker's
// mutant runs costs milliseconds of test time: a core mutant must be killed here, by a test of
// the function that holds the rule. The integration suites (real git, the platform server, the
// GitHub stand-in) take minutes per run on two cores; they guard the adapters and the whole, and
// would make a mutation run of scripts/core take a day.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/core-edit-diff.test.ts',
      'test/deploy/deploy-plan.test.ts',
      'test/github/gate-report.test.ts',
      'test/github/github-limits.test.ts',
      'test/refs/names.test.ts',
      'test/export/flagd-text.test.ts',
      'test/export/manifest-schema.test.ts',
      'test/commands/engineer/change-request.test.ts',
    ],
    // These drive the gate through real git repositories (test/core/gate/run-check.ts); the
    // same rules are pinned as data in test/core/gate/*.pure.test.ts.
    exclude: ['test/core/gate/boundaries.test.ts', 'test/core/gate/overrides.test.ts'],
    testTimeout: 120_000,
    // Each differential test samples 200 generated cases instead of thousands (test/helpers/cases.ts).
    env: { FLAGS_TEST_CASES: '200' },
    // One worker, its modules kept between runs: Stryker switches mutants on at call time, so a
    // fresh import per mutant (the default) only adds seconds of loading to every mutant.
    isolate: false,
    pool: 'forks',
    maxWorkers: 1,
  },
});
