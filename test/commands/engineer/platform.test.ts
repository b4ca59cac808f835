// promote with the platform configured: the exit criteria come from the real platform server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanupRepos } from '../../helpers/git-repo.ts';
import { platformServer, type TestPlatform } from '../../helpers/platform-server.ts';
import { LIVE_VIEW, repoWithLiveView } from './fixtures.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await platformServer();
  await platform.client.putFlag('live-view', {
    description: 'The live-view feature.',
    owner: '@novalien/video',
    depends_on: [],
  });
  await platform.client.reportErrors('live-view', { count: 3 });
});
afterAll(async () => {
  await platform.close();
});
afterEach(cleanupRepos);

// Past the soak whatever the platform's own clock says about when the flag entered alpha.
const LATER = '2030-01-01T00:00:00Z';

describe('flags promote with the platform', () => {
  it('refuses while the platform shows flag errors in the last 24 h, even with an override', async () => {
    const repo = repoWithLiveView('alpha', '2026-11-20T10:00:00Z');
    const before = repo.read(LIVE_VIEW);
    const env = { PLATFORM_API_TOKEN: platform.token };

    const run = await repo.cli(
      ['promote', 'live-view', '--now', LATER, '--platform-url', platform.url, '--json'],
      env,
    );
    expect(run.status).toBe(1);
    const unmet = run.json.violations.find((v: { rule: string }) => v.rule === 'exit-criteria');
    expect(unmet.message).toContain(
      'no flag-related errors on the platform in the last 24 h: 3 errors in the last 24 h',
    );

    const override = await repo.cli(
      [
        'promote',
        'live-view',
        '--now',
        LATER,
        '--override',
        '--decision-maker',
        '@jdoe',
        '--incident',
        'https://chat.example/i/3',
        '--reason',
        'urgent',
      ],
      { ...env, PLATFORM_API_URL: platform.url },
    );
    expect(override.status).toBe(1);
    expect(override.stdout).toContain('An override waives the soak only');
    expect(repo.read(LIVE_VIEW)).toBe(before);
    expect(parse(repo.read(LIVE_VIEW)).state).toBe('alpha');
  });
});
