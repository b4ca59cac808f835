// `flags check --json` on a temp repository, with the violations split out for assertions.
import type { TestRepo } from '../../helpers/git-repo.ts';

export const NOW = '2026-11-24T12:00:00Z';

export interface Found {
  rule: string;
  severity: string;
  flag: string;
  message: string;
  line: number | null;
}

export async function check(repo: TestRepo, base: string, now = NOW, extra: string[] = []) {
  const out = await repo.cli(['check', '--base', base, '--now', now, '--json', ...extra]);
  const violations = (out.json?.violations ?? []) as Found[];
  return {
    ...out,
    violations,
    errors: violations
      .filter((v) => v.severity === 'error')
      .map((v) => v.rule)
      .sort(),
    find: (rule: string): Found | undefined => violations.find((v) => v.rule === rule),
  };
}
