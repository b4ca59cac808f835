import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('flags codeowners', () => {
  it('--check fails when CODEOWNERS is out of step with the owners, --write brings it back', async () => {
    const repo = gitRepo({ codeowners: '* @novalien/release\n' })
      .flag('video', { key: 'live' })
      .flag('platform', { key: 'edge' });
    expect((await repo.cli(['validate'])).status).toBe(1);
    const before = await repo.cli(['codeowners', '--check', '--json']);
    expect(before.status).toBe(1);
    expect(before.json).toEqual({ ok: false, file: 'CODEOWNERS', changed: true });

    expect((await repo.cli(['codeowners', '--write'])).status).toBe(0);
    const text = repo.read('CODEOWNERS');
    expect(text.startsWith('* @novalien/release\n')).toBe(true);
    expect(text).toContain('/flags/video/*.yaml @novalien/video');
    expect((await repo.cli(['codeowners', '--check'])).status).toBe(0);
    expect((await repo.cli(['validate'])).status).toBe(0);

    // The flag file is the source of truth: a new owner moves the rule.
    repo.flag('video', { key: 'live', owner: '@novalien/player' });
    expect((await repo.cli(['codeowners', '--check'])).status).toBe(1);
  });

  it('needs exactly one of --check and --write', async () => {
    const repo = gitRepo();
    expect((await repo.cli(['codeowners'])).status).toBe(2);
    expect((await repo.cli(['codeowners', '--check', '--write'])).status).toBe(2);
  });
});
