// How the gate reads its inputs from the workflow's environment and event file. Pure.
import { describe, expect, it } from 'vitest';
import { gateInputsFrom } from '../../scripts/github/gate.ts';
import { sha } from '../helpers/github-stub.ts';

describe('inputs', () => {
  const env = {
    GITHUB_REPOSITORY: 'novalien/flags',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '99',
    GITHUB_SHA: sha('merge'),
  };

  it('reads a pull request event: base SHA, head SHA, fork', () => {
    const event = {
      pull_request: {
        number: 12,
        user: { login: 'someone' },
        base: { sha: sha('b'), repo: { full_name: 'novalien/flags' } },
        head: { sha: sha('h'), repo: { full_name: 'someone/flags' } },
      },
    };
    expect(gateInputsFrom({ ...env, GITHUB_EVENT_NAME: 'pull_request' }, event, '/repo')).toEqual({
      repoDir: '/repo',
      event: 'pull_request',
      pr: 12,
      base: sha('b'),
      head: sha('h'),
      mergeCommit: sha('merge'),
      author: 'someone',
      fork: true,
      strict: true,
      soakViaStatus: true,
      runUrl: 'https://github.com/novalien/flags/actions/runs/99',
    });
    const review = gateInputsFrom(
      { ...env, GITHUB_EVENT_NAME: 'pull_request_review', FLAGS_REPO_DIR: '/c' },
      event,
      '/repo',
    );
    expect(review).toMatchObject({
      event: 'pull_request',
      repoDir: '/c',
      mergeCommit: sha('merge'),
    });
  });

  it('reads a merge group event and the pull request in its head ref', () => {
    const event = {
      merge_group: {
        base_sha: sha('b'),
        head_sha: sha('g'),
        head_ref: `refs/heads/gh-readonly-queue/main/pr-42-${sha('x')}`,
      },
    };
    expect(
      gateInputsFrom({ ...env, GITHUB_EVENT_NAME: 'merge_group' }, event, '/repo'),
    ).toMatchObject({
      event: 'merge_group',
      pr: 42,
      base: sha('b'),
      head: sha('g'),
      fork: false,
    });
  });

  it('refuses other events', () => {
    expect(() => gateInputsFrom({ GITHUB_EVENT_NAME: 'push' }, {}, '/repo')).toThrow(/not 'push'/);
  });
});
