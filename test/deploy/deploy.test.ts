// `flags deploy` and `flags plan` against the real platform server and dated temp repositories:
// a fresh platform, dependency chains up and down, alpha orgs, removals, a no-op re-run.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { at, closeWorlds, deployWorld, outcomes, stateChanges } from './setup.ts';

// Real git, the real server and several deploys per test: on 2 shared cores a run can take far
// longer than the 30 s default, and a test must not fail for that.
vi.setConfig({ testTimeout: 180_000 });

afterEach(closeWorlds);

const T0 = '2026-11-01T09:00:00Z';
const PA = 'PA-2026-001';

describe('a fresh platform', () => {
  it('gets every flag registered, metadata, alpha orgs; a second run changes nothing', async () => {
    const w = await deployWorld();
    w.repo
      .flag('platform', { key: 'edge-resume' })
      .flag('video', {
        key: 'live-view',
        depends_on: ['edge-resume'],
        alpha_orgs: [
          { org: 'novalien-internal' },
          { org: 'harbor-logistics', preview_agreement: PA },
        ],
        manual: 'https://docs.example.com/live-view',
      })
      .flag('analytics', { key: 'heatmaps' });
    w.repo.commit(T0);

    const plan = await w.run('plan', at(T0, 1));
    expect(plan.status).toBe(0);
    expect(plan.json.dryRun).toBe(true);
    expect(plan.json.counts).toMatchObject({ planned: 5, applied: 0, failed: 0, drifted: 0 });
    // Dependencies are registered before their dependents.
    const ids = plan.json.steps.map((s: any) => s.id);
    expect(ids.indexOf('edge-resume:register')).toBeLessThan(ids.indexOf('live-view:register'));
    expect((await w.platform.client.listFlags()).length).toBe(0);

    const first = await w.deploy(at(T0, 1));
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.json).toMatchObject({
      ok: true,
      dryRun: false,
      counts: { applied: 5, skipped: 0, failed: 0, drifted: 0 },
    });
    expect(first.json.verify.problems).toEqual([]);
    const flags = await w.platform.client.listFlags();
    expect(flags.map((f) => [f.key, f.state, f.depends_on, f.orgs_enabled])).toEqual([
      ['edge-resume', 'alpha', [], []],
      ['heatmaps', 'alpha', [], []],
      ['live-view', 'alpha', ['edge-resume'], ['harbor-logistics', 'novalien-internal']],
    ]);
    const audit = await w.platform.client.auditLog();
    expect(audit.every((e) => e.actor === 'flags-deploy')).toBe(true);
    const orgLog = await w.platform.client.orgAuditLog('harbor-logistics');
    expect(orgLog.map((e) => [e.action, e.flag])).toEqual([['feature_flag.enabled', 'live-view']]);

    const second = await w.deploy(at(T0, 2));
    expect(second.status).toBe(0);
    expect(second.json.steps).toEqual([]);
    expect(second.json.counts).toMatchObject({ applied: 0, failed: 0, drifted: 0, inSync: 3 });
    // A no-op deploy is one list call and no write.
    expect(second.json.requests).toEqual({ reads: 1, writes: 0 });
    expect(await w.platform.client.auditLog()).toHaveLength(audit.length);

    const text = await w.repo.cli(
      ['deploy', '--now', at(T0, 3), '--platform-url', w.platform.url],
      { PLATFORM_API_TOKEN: w.platform.token },
    );
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Nothing to change');
    expect(text.stdout).toContain('a no-op deploy');
  });

  it('with --adopt, catches up on a history that passed the gate: promotions replayed in dependency order', async () => {
    const w = await deployWorld();
    w.repo
      .flag('platform', { key: 'a' })
      .flag('platform', { key: 'b', depends_on: ['a'] })
      .flag('platform', { key: 'c', depends_on: ['b'] });
    w.repo.commit(T0);
    w.repo.flag('platform', { key: 'a', state: 'beta' }).commit(at(T0, 25));
    w.repo.flag('platform', { key: 'b', state: 'beta', depends_on: ['a'] }).commit(at(T0, 50));
    w.repo.flag('platform', { key: 'a', state: 'ga' }).commit(at(T0, 100));
    w.repo.flag('platform', { key: 'c', state: 'beta', depends_on: ['b'] }).commit(at(T0, 101));

    const text = await w.repo.cli(
      ['plan', '--adopt', '--now', at(T0, 102), '--platform-url', w.platform.url],
      { PLATFORM_API_TOKEN: w.platform.token, NO_COLOR: '1' },
    );
    expect(text.stdout).toContain(
      "Adopted (--adopt): the operator took the repository's history as the witness for 3 flags",
    );
    const result = await w.deploy(at(T0, 102), ['--adopt']);
    expect(result.json.adopted).toEqual(['a', 'b', 'c']);
    // Audited as the operator's decision.
    const promotions = (await w.platform.client.auditLog()).filter(
      (e) => e.action === 'platform.feature_flag_state_changed',
    );
    expect(new Set(promotions.map((e) => e.actor))).toEqual(new Set(['flags-deploy --adopt']));
    expect(result.status).toBe(0);
    expect(result.json.counts).toMatchObject({ applied: 7, failed: 0 });
    // One state at a time, and a dependency before its dependents.
    expect(await stateChanges(w.platform)).toEqual(
      expect.arrayContaining(['a alpha->beta', 'a beta->ga', 'b alpha->beta', 'c alpha->beta']),
    );
    const changes = await stateChanges(w.platform);
    expect(changes.indexOf('a alpha->beta')).toBeLessThan(changes.indexOf('b alpha->beta'));
    expect(changes.indexOf('b alpha->beta')).toBeLessThan(changes.indexOf('c alpha->beta'));
    expect(changes.indexOf('a alpha->beta')).toBeLessThan(changes.indexOf('a beta->ga'));
    expect(result.json.announcements.map((a: any) => a.title)).toEqual([
      'GA: a',
      'Beta: b',
      'Beta: c',
    ]);
  });
});

describe('the platform is the witness', () => {
  it('forged backdated alpha and beta commits on main do not reach beta in one run', async () => {
    const w = await deployWorld();
    const now = '2026-11-10T12:00:00Z';
    // Pushed straight to main with committer dates in the past: the history looks soaked.
    w.repo.flag('video', { key: 'sneaky' }).commit(at(now, -100));
    w.repo.flag('video', { key: 'sneaky', state: 'beta' }).commit(at(now, -50));

    const first = await w.deploy(now);
    expect(first.status).toBe(0);
    expect(first.json.counts).toMatchObject({ applied: 1, held: 1, failed: 0, drifted: 0 });
    const held = first.json.steps.find((s: any) => s.id === 'sneaky:promote:beta');
    expect(held).toMatchObject({ kind: 'held', outcome: 'held', allowedAt: at(now, 24) });
    expect((await w.platform.client.listFlags()).map((f) => f.state)).toEqual(['alpha']);

    const text = await w.repo.cli(['plan', '--now', at(now, 1), '--platform-url', w.platform.url], {
      PLATFORM_API_TOKEN: w.platform.token,
      NO_COLOR: '1',
    });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Held (1)');
    expect(text.stdout).toContain('allowed from 2026-11-11 12:00 UTC');

    // One second before the platform has served alpha for 24 h: still held.
    const early = await w.deploy(at(now, 24, -1));
    expect(early.json.counts).toMatchObject({ applied: 0, held: 1 });
    const due = await w.deploy(at(now, 24));
    expect(due.status).toBe(0);
    expect(due.json.counts).toMatchObject({ applied: 1, held: 0 });
    expect(await stateChanges(w.platform)).toEqual(['sneaky alpha->beta']);
  });
});

describe('a dependency chain', () => {
  it('goes up dependencies first and comes down dependents first', async () => {
    const w = await deployWorld();
    w.repo
      .flag('video', { key: 'base' })
      .flag('video', { key: 'mid', depends_on: ['base'] })
      .flag('video', { key: 'top', depends_on: ['mid'] });
    w.repo.commit(T0);
    expect((await w.deploy(at(T0, 1))).status).toBe(0);

    // Each promotion in its own change after the soak, as the gate wants; deployed together.
    w.repo.flag('video', { key: 'base', state: 'beta' }).commit(at(T0, 26));
    w.repo.flag('video', { key: 'mid', state: 'beta', depends_on: ['base'] }).commit(at(T0, 27));
    w.repo.flag('video', { key: 'top', state: 'beta', depends_on: ['mid'] }).commit(at(T0, 28));
    const up = await w.deploy(at(T0, 29));
    expect(up.status).toBe(0);
    expect(up.json.steps.map((s: any) => s.id)).toEqual([
      'base:promote:beta',
      'mid:promote:beta',
      'top:promote:beta',
    ]);
    expect(up.json.steps[1].after).toEqual(['base:promote:beta']);
    expect(await stateChanges(w.platform)).toEqual([
      'base alpha->beta',
      'mid alpha->beta',
      'top alpha->beta',
    ]);
    expect(up.json.announcements).toHaveLength(3);
    expect(up.json.announcements[0].text).toContain('/admin/feature-flags');

    const revert = { reason: 'reconnect storm', incident: 'https://incidents.example.com/42' };
    for (const [key, deps] of [
      ['base', []],
      ['mid', ['base']],
      ['top', ['mid']],
    ] as const) {
      w.repo.flag('video', { key, state: 'alpha', depends_on: [...deps], revert });
    }
    w.repo.commit(at(T0, 30));
    const down = await w.deploy(at(T0, 31));
    expect(down.status).toBe(0);
    expect((await stateChanges(w.platform)).slice(3)).toEqual([
      'top beta->alpha',
      'mid beta->alpha',
      'base beta->alpha',
    ]);
    expect(down.json.steps.find((s: any) => s.id === 'base:demote:alpha').after).toEqual([
      'mid:demote:alpha',
    ]);
  });
});

describe('alpha orgs', () => {
  it('enables orgs added to the file, disables orgs removed from it, and leaves hand-made enables alone', async () => {
    const w = await deployWorld();
    w.repo.flag('video', {
      key: 'clips',
      alpha_orgs: [{ org: 'acme', preview_agreement: PA }, { org: 'novalien-internal-staging' }],
    });
    w.repo.commit(T0);
    expect((await w.deploy(at(T0, 1))).json.counts.applied).toBe(3);

    // Staff enable one more org by hand: not the repository's, so not deploy's to undo.
    w.clock.now = new Date(at(T0, 2));
    await w.platform.client.setOrgEnabled('northwind', 'clips', true, { actor: 'staff:jdoe' });

    w.repo.flag('video', {
      key: 'clips',
      alpha_orgs: [{ org: 'novalien-internal-staging' }, { org: 'globex', preview_agreement: PA }],
    });
    w.repo.commit(at(T0, 3));
    const result = await w.deploy(at(T0, 4));
    expect(result.status).toBe(0);
    expect(outcomes(result.json)).toEqual([
      'clips:disable-org:acme applied',
      'clips:enable-org:globex applied',
      'clips:disable-org:northwind drifted',
    ]);
    const flag = await w.platform.client.getFlag('clips');
    expect(flag?.orgs_enabled).toEqual(['globex', 'northwind', 'novalien-internal-staging']);
    expect((await w.platform.client.orgAuditLog('acme')).map((e) => e.action)).toEqual([
      'feature_flag.enabled',
      'feature_flag.disabled',
    ]);
    expect(await w.platform.client.orgFlags('globex')).toContain('clips');
    expect(result.json.counts).toMatchObject({ applied: 2, drifted: 1, failed: 0 });

    // Listing the hand-enabled org in the file and then removing it makes it the repository's.
    w.repo.flag('video', {
      key: 'clips',
      alpha_orgs: [
        { org: 'novalien-internal-staging' },
        { org: 'globex', preview_agreement: PA },
        { org: 'northwind', preview_agreement: PA },
      ],
    });
    w.repo.commit(at(T0, 5));
    w.repo.flag('video', {
      key: 'clips',
      alpha_orgs: [{ org: 'novalien-internal-staging' }, { org: 'globex', preview_agreement: PA }],
    });
    w.repo.commit(at(T0, 6));
    const taken = await w.deploy(at(T0, 7));
    expect(outcomes(taken.json)).toEqual(['clips:disable-org:northwind applied']);
  });
});

describe('removal', () => {
  it('archives a flag deleted from the repository, refuses one at beta, and leaves flags it never had', async () => {
    const w = await deployWorld();
    w.repo.flag('access', { key: 'old-login' }).flag('access', { key: 'sso' });
    w.repo.commit(T0);
    w.repo.flag('access', { key: 'sso', state: 'beta' }).commit(at(T0, 30));
    expect((await w.deploy(at(T0, 31), ['--adopt'])).status).toBe(0);
    w.clock.now = new Date(at(T0, 32));
    await w.platform.client.putFlag(
      'hand-made',
      { description: 'made by hand', owner: '@novalien/access', depends_on: [] },
      { actor: 'staff:jdoe' },
    );

    w.repo.remove('flags/access/old-login.yaml').remove('flags/access/sso.yaml').commit(at(T0, 33));
    const result = await w.deploy(at(T0, 34));
    expect(result.status).toBe(1);
    const byId = Object.fromEntries(result.json.steps.map((s: any) => [s.id, s]));
    expect(byId['old-login:archive'].outcome).toBe('applied');
    expect(byId['sso:archive']).toMatchObject({ outcome: 'refused', rule: 'removal' });
    expect(byId['hand-made:archive'].outcome).toBe('drifted');
    expect(await w.platform.client.getFlag('old-login')).toBeNull();
    expect((await w.platform.client.listFlags()).map((f) => f.key)).toEqual(['hand-made', 'sso']);
    const archived = (await w.platform.client.auditLog({ flag: 'old-login' })).at(-1);
    expect(archived).toMatchObject({
      action: 'platform.feature_flag_archived',
      actor: 'flags-deploy',
    });
  });
});

describe('a flag archived by hand', () => {
  it('is not brought back until the repository changes it again', async () => {
    const w = await deployWorld();
    w.repo.flag('access', { key: 'kill-me' }).commit(T0);
    await w.deploy(at(T0, 1));
    w.clock.now = new Date(at(T0, 2));
    await w.platform.client.archiveFlag('kill-me', { actor: 'oncall:bob' });

    const left = await w.deploy(at(T0, 3));
    expect(left.status).toBe(0);
    expect(left.json.steps).toMatchObject([
      { id: 'kill-me:register', outcome: 'drifted', changedBy: { actor: 'oncall:bob' } },
    ]);
    expect(await w.platform.client.getFlag('kill-me')).toBeNull();

    w.repo.flag('access', { key: 'kill-me', description: 'Back, fixed.' }).commit(at(T0, 4));
    const back = await w.deploy(at(T0, 5));
    expect(outcomes(back.json)).toEqual(['kill-me:register applied']);
    expect((await w.platform.client.getFlag('kill-me'))?.state).toBe('alpha');
  });
});

describe('output', () => {
  it('plan shows every step, grouped by kind with counts, however many there are', async () => {
    const w = await deployWorld();
    for (let i = 0; i < 45; i++) w.repo.flag('analytics', { key: `many-${i}` });
    w.repo.flag('video', { key: 'live', alpha_orgs: [{ org: 'globex', preview_agreement: PA }] });
    w.repo.commit(T0);
    const plan = await w.repo.cli(['plan', '--now', at(T0, 1), '--platform-url', w.platform.url], {
      PLATFORM_API_TOKEN: w.platform.token,
    });
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('Steps (47), by kind');
    expect(plan.stdout).toContain('Registrations (at alpha) (46)');
    expect(plan.stdout).toContain('Org enables (alpha orgs) (1)');
    for (let i = 0; i < 45; i++) expect(plan.stdout).toMatch(new RegExp(`^ {4}many-${i} `, 'm'));
    expect(plan.stdout).not.toContain('more (--json');
    expect(plan.stdout).toContain('✓ plan: 47 to apply, 0 refused, 0 drifted, 0 in sync');
  });

  it('writes the plan and result tables and the announcements to the job summary', async () => {
    const w = await deployWorld();
    w.repo.flag('video', { key: 'live', manual: 'https://docs.example.com/live' });
    w.repo.commit(T0);
    await w.deploy(at(T0, 1));
    w.repo
      .flag('video', { key: 'live', state: 'beta', manual: 'https://docs.example.com/live' })
      .commit(at(T0, 30));
    const file = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary.md');
    const result = await w.deploy(at(T0, 31), [], { GITHUB_STEP_SUMMARY: file });
    expect(result.status).toBe(0);
    const summary = readFileSync(file, 'utf8');
    expect(summary).toContain('## Flag deploy: ok');
    expect(summary).toContain('| Flag | Step | Change | Why |');
    expect(summary).toContain('| `live` | promote | alpha -> beta |');
    expect(summary).toContain('| Flag | Step | Change | Outcome | Detail |');
    expect(summary).toContain('#### Beta: live');
    expect(summary).toContain('https://docs.example.com/live');
  });

  it('--help explains the witness rule, --adopt and --branch; plan has its own', async () => {
    const w = await deployWorld();
    const deploy = await w.repo.cli(['deploy', '--help']);
    expect(deploy.status).toBe(0);
    expect(deploy.stdout).toContain(
      'Usage: npx flags deploy [--platform-url URL] [--dry-run] [--branch NAME] [--adopt] [--json]',
    );
    expect(deploy.stdout).toContain(
      'The platform is the witness: a state the platform has not served',
    );
    expect(deploy.stdout).toContain('HELD');
    expect(deploy.stdout).toMatch(/--adopt +take the repository's history as the witness/);
    expect(deploy.stdout).toContain("audited as X-Actor 'flags-deploy --adopt'");
    expect(deploy.stdout).toMatch(/--branch NAME +the branch being deployed \(default main\)/);
    const plan = await w.repo.cli(['plan', '--help']);
    expect(plan.stdout).toContain(
      'Usage: npx flags plan [--platform-url URL] [--branch NAME] [--adopt] [--now ISO] [--json]',
    );
    expect(plan.stdout).toContain('--adopt');
    expect(plan.stdout).toContain('HELD');
    expect(plan.stdout).not.toContain('--dry-run');
  });

  it('explains what it cannot do: no platform URL is a usage error (exit 2)', async () => {
    const w = await deployWorld();
    w.repo.flag('video', { key: 'live' }).commit(T0);
    const result = await w.repo.cli(['deploy', '--json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--platform-url URL or set PLATFORM_API_URL/);
    expect(result.json).toMatchObject({ ok: false, error: { code: 'usage' } });
  });
});
