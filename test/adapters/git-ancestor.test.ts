// `merge-base --is-ancestor` answers with its exit status: 0 yes, 1 no. Anything else is git
// failing, and says git's reason rather than reading as "not an ancestor".
import { afterEach, expect, it } from 'vitest';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { GitError } from '../../scripts/core/errors.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(() => cleanupRepos());

it('answers yes, no, or a GitError with git’s own reason', async () => {
  const repo = gitRepo();
  repo.write('README.md', 'one\n');
  const first = repo.commit('2026-11-01T10:00:00Z');
  repo.write('README.md', 'two\n');
  const second = repo.commit('2026-11-02T10:00:00Z');
  const git = new GitRepo(repo.dir);
  expect(await git.isAncestor(first, second)).toBe(true);
  expect(await git.isAncestor(second, first)).toBe(false);
  const unknown = 'f'.repeat(40);
  const error = await git.isAncestor(unknown, second).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GitError);
  expect((error as Error).message).toMatch(
    new RegExp(`^cannot compare ${unknown} and ${second}: .*${unknown}`),
  );
});
