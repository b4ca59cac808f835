// `flags check --json` on a temp repository, with the violations split out for assertions.
import { execFileSync } from 'node:child_process';
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

/**
 * Commits everything with different committer and author dates: the soak clock is committer
 * time (when the commit reached the branch); the author date is the author's to set.
 */
export function commitDated(
  repo: TestRepo,
  dates: { committer: string; author: string },
  message = `change at ${dates.committer}`,
): string {
  repo.git('add', '-A');
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
    cwd: repo.dir,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_COMMITTER_DATE: dates.committer,
      GIT_AUTHOR_DATE: dates.author,
    },
  });
  return repo.head();
}
