// How many generated cases a differential test runs: all of them, unless FLAGS_TEST_CASES caps
// the number. The mutation run caps it (test/vitest.mutate.config.ts), because every mutant
// reruns the tests that reach it; `npm test` always runs the full count.
export function caseCount(full: number): number {
  const cap = Number(process.env.FLAGS_TEST_CASES);
  return Number.isInteger(cap) && cap > 0 ? Math.min(full, cap) : full;
}
