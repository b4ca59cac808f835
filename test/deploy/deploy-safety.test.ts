// Deploy's safety: the gate re-run on what it applies, on-call reverts left alone, a dead or
// failing platform, and exactly one effect per change under injected failures.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPlatformServer } from '../../scripts/platform-server/server.ts';
import { seededRandom } from '../helpers/platform-server.ts';
import { at, closeWorlds, deployWorld, outcomes, stateChanges, type DeployWorld } from './setup.ts';

// Real git, the real server and several deploys per test: on 2 shared cores a run can take far
// longer than the 30 s default, and a test must not fail for that.
vi.setConfig({ testTimeout: 180_000 });

afterEach(closeWorlds);

const T0 = '2026-11-01T09:00:00Z';
const PA = 'PA-2026-001';

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

describe('the gate, re-run by deploy', () => {
  it('refuses a too-early or skipping promotion that bypassed CI, and applies it once allowed', async () => {
    const w = await deployWorld();
    w.repo
      .flag('video', { key: 'early' })
      .flag('video', { key: 'skip' })
      .flag('video', { key: 'urgent' });
    w.repo.commit(T0);
    expect((await w.deploy(at(T0, 1))).status).toBe(0);

    // An admin merge: promotions an hour after the flags reached the platform.
    const override = {
      decision_maker: '@cto',
      incident: 'https://incidents.example.com/7',
      reason: 'customer outage fix',
    };
    w.repo
      .flag('video', { key: 'early', state: 'beta' })
      .flag('video', { key: 'skip', state: 'ga' })
      .flag('video', { key: 'urgent', state: 'beta', override });
    w.repo.commit(at(T0, 2));
    const refused = await w.deploy(at(T0, 3));
    expect(refused.status).toBe(1);
    expect(refused.json.ok).toBe(false);
    const byId = Object.fromEntries(refused.json.steps.map((s: any) => [s.id, s]));
    expect(byId['early:promote:beta']).toMatchObject({
      outcome: 'refused',
      rule: 'soak',
      allowedAt: at(T0, 25),
    });
    expect(byId['skip:promote:ga']).toMatchObject({
      outcome: 'refused',
      rule: 'transition-skip',
      allowedAt: null,
    });
    expect(byId['urgent:promote:beta']).toMatchObject({ outcome: 'applied' });
    expect(byId['urgent:promote:beta'].reason).toContain('@cto');
    expect(refused.json.counts).toMatchObject({ applied: 1, failed: 2, refused: 2 });
    expect((await w.platform.client.getFlag('early'))?.state).toBe('alpha');
    expect((await w.platform.client.getFlag('skip'))?.state).toBe('alpha');

    const text = await w.repo.cli(['plan', '--now', at(T0, 4), '--platform-url', w.platform.url], {
      PLATFORM_API_TOKEN: w.platform.token,
    });
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('Refused by the gate (2)');
    expect(text.stdout).toContain('allowed from 2026-11-02 10:00 UTC');

    // Once the soak has run on the platform, the same commit deploys; a skip never does.
    const later = await w.deploy(at(T0, 26));
    expect(outcomes(later.json)).toEqual(['early:promote:beta applied', 'skip:promote:ga refused']);
    expect((await w.platform.client.getFlag('early'))?.state).toBe('beta');
  });

  it('refuses a dependent whose dependency stays below, instead of meeting 409 FLAG_DEPENDENCY', async () => {
    const w = await deployWorld();
    w.repo
      .flag('video', { key: 'dep' })
      .flag('video', { key: 'user', depends_on: ['dep'] })
      .commit(T0);
    await w.deploy(at(T0, 1));
    // One admin merge after the soak: the dependency skips a state (refused), so the dependent,
    // whose own soak is met, would outrun it.
    w.repo
      .flag('video', { key: 'dep', state: 'ga' })
      .flag('video', { key: 'user', state: 'beta', depends_on: ['dep'] })
      .commit(at(T0, 30));
    const result = await w.deploy(at(T0, 31));
    expect(result.status).toBe(1);
    const byId = Object.fromEntries(result.json.steps.map((s: any) => [s.id, s]));
    expect(byId['dep:promote:ga']).toMatchObject({ outcome: 'refused', rule: 'transition-skip' });
    expect(byId['user:promote:beta']).toMatchObject({
      outcome: 'refused',
      rule: 'dependency-order',
    });
    expect(byId['user:promote:beta'].reason).toContain('FLAG_DEPENDENCY');
    expect(await stateChanges(w.platform)).toEqual([]);
  });
});

describe('ownership', () => {
  it('leaves an on-call revert alone and reports it, until the repository changes that flag again', async () => {
    const w = await deployWorld();
    w.repo.flag('platform', { key: 'backoff' }).commit(T0);
    await w.deploy(at(T0, 1));
    w.repo.flag('platform', { key: 'backoff', state: 'beta' }).commit(at(T0, 30));
    expect((await w.deploy(at(T0, 31))).json.counts.applied).toBe(1);

    // The runbook's revert path, by hand on the platform.
    w.clock.now = new Date(at(T0, 40));
    await w.platform.client.setState('backoff', 'alpha', { actor: 'oncall:jdoe' });

    const drift = await w.deploy(at(T0, 41));
    expect(drift.status).toBe(0);
    expect(drift.json.counts).toMatchObject({ applied: 0, failed: 0, drifted: 1 });
    expect(drift.json.steps[0]).toMatchObject({
      id: 'backoff:promote:beta',
      outcome: 'drifted',
      changedBy: { actor: 'oncall:jdoe', at: '2026-11-03T01:00:00.000Z' },
    });
    expect((await w.platform.client.getFlag('backoff'))?.state).toBe('alpha');

    // An edit of another field does not take the state back.
    w.repo
      .flag('platform', { key: 'backoff', state: 'beta', description: 'Jittered backoff.' })
      .commit(at(T0, 42));
    const edit = await w.deploy(at(T0, 43));
    expect(outcomes(edit.json)).toEqual(['backoff:update applied', 'backoff:promote:beta drifted']);
    expect((await w.platform.client.getFlag('backoff'))?.state).toBe('alpha');

    // The repository records the revert: in line again, nothing to do.
    const revert = { reason: 'storm', incident: 'https://incidents.example.com/9' };
    w.repo
      .flag('platform', {
        key: 'backoff',
        state: 'alpha',
        description: 'Jittered backoff.',
        revert,
      })
      .commit(at(T0, 44));
    const aligned = await w.deploy(at(T0, 45));
    expect(aligned.json.steps).toEqual([]);

    // A new promotion after the platform's soak is the repository's newer decision: applied.
    w.repo
      .flag('platform', { key: 'backoff', state: 'beta', description: 'Jittered backoff.' })
      .commit(at(T0, 70));
    const again = await w.deploy(at(T0, 71));
    expect(outcomes(again.json)).toEqual(['backoff:promote:beta applied']);
    expect(await stateChanges(w.platform)).toEqual([
      'backoff alpha->beta',
      'backoff beta->alpha',
      'backoff alpha->beta',
    ]);
  });

  it('applies a promotion the repository made after an on-call change', async () => {
    const w = await deployWorld();
    w.repo.flag('platform', { key: 'resume' }).commit(T0);
    await w.deploy(at(T0, 1));
    w.clock.now = new Date(at(T0, 2));
    await w.platform.client.setState('resume', 'beta', { actor: 'oncall:ann' });
    await w.platform.client.setState('resume', 'alpha', { actor: 'oncall:ann' });
    w.repo.flag('platform', { key: 'resume', state: 'beta' }).commit(at(T0, 30));
    const result = await w.deploy(at(T0, 31));
    expect(outcomes(result.json)).toEqual(['resume:promote:beta applied']);
  });
});

async function deadUrl(): Promise<string> {
  const server = await startPlatformServer({ token: 'x' });
  await server.close();
  return server.url;
}

function chain(w: DeployWorld): void {
  w.repo.flag('video', { key: 'a', alpha_orgs: [{ org: 'acme', preview_agreement: PA }] });
  w.repo
    .flag('video', { key: 'b', depends_on: ['a'] })
    .flag('video', { key: 'c', depends_on: ['b'] })
    .flag('video', { key: 'd' });
  w.repo.commit(T0);
  w.repo
    .flag('video', {
      key: 'a',
      state: 'beta',
      alpha_orgs: [{ org: 'acme', preview_agreement: PA }],
    })
    .commit(at(T0, 25));
  w.repo.flag('video', { key: 'b', state: 'beta', depends_on: ['a'] }).commit(at(T0, 50));
  w.repo.flag('video', { key: 'd', state: 'beta' }).commit(at(T0, 51));
}

describe('a failing platform', () => {
  it('a dead platform fails cleanly (exit 2, one line), and the next deploy does it all', async () => {
    const w = await deployWorld();
    chain(w);
    const url = await deadUrl();
    const dead = await w.repo.cli(
      ['deploy', '--json', '--now', at(T0, 60), '--platform-url', url, '--retries', '1'],
      { PLATFORM_API_TOKEN: w.platform.token },
    );
    expect(dead.status).toBe(2);
    expect(dead.stderr.trim().split('\n')).toHaveLength(1);
    expect(dead.stderr).toMatch(
      /^flags deploy: could not reach the platform at http:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\); tried 2 times/,
    );
    expect(dead.json).toMatchObject({ ok: false, error: { code: 'evaluation' } });

    // A fresh platform: the operator adopts the repository's history (--adopt).
    const next = await w.deploy(at(T0, 61), ['--adopt']);
    expect(next.status).toBe(0);
    expect(next.json.counts).toMatchObject({ applied: 8, failed: 0 });
  });

  it('a deploy that failed half-way is completed by the next one, with no new commit', async () => {
    // The list call, the audit-log reads for the four new flags and three writes get through;
    // then every request fails.
    let budget = 8;
    const w = await deployWorld({ failRate: 0.5, random: () => (budget-- > 0 ? 0.99 : 0) });
    chain(w);
    const broken = await w.deploy(at(T0, 60), ['--retries', '1', '--concurrency', '1', '--adopt']);
    expect(broken.status).toBe(1);
    const counts = broken.json.counts;
    expect(counts.applied).toBe(3);
    const byId = Object.fromEntries(broken.json.steps.map((s: any) => [s.id, s]));
    expect(byId['a:promote:beta']).toMatchObject({ outcome: 'failed' });
    expect(byId['a:promote:beta'].message).toMatch(/503 SERVICE_UNAVAILABLE.*after 2 tries/);
    // Its dependent is not attempted.
    expect(byId['b:promote:beta']).toMatchObject({
      outcome: 'skipped',
      message: 'not attempted: `a:promote:beta` failed',
    });
    expect(broken.json.verify.problems[0].message).toMatch(/could not read back/);

    budget = Number.POSITIVE_INFINITY;
    // `a`, `b` and `d` are on the platform now (at alpha since T0+60): their promotions wait
    // for its 24 h there, --adopt or not; `c`'s registration and `a`'s org are completed.
    const early = await w.deploy(at(T0, 84, -1), ['--adopt']);
    expect(early.status).toBe(0);
    expect(early.json.counts).toMatchObject({ applied: 2, held: 3, failed: 0 });
    const next = await w.deploy(at(T0, 84), ['--adopt']);
    expect(next.status).toBe(0);
    expect(next.json.counts).toMatchObject({ applied: 3, failed: 0 });
    const client = w.platform.newClient({ retries: 10 });
    const flags = await client.listFlags();
    expect(flags.map((f) => `${f.key} ${f.state}`)).toEqual([
      'a beta',
      'b beta',
      'c alpha',
      'd beta',
    ]);
    const audit = await client.auditLog();
    expect(countBy(audit.map((e) => `${e.action} ${e.flag} ${e.new_state ?? e.org}`))).toEqual({
      'platform.feature_flag_created a alpha': 1,
      'platform.feature_flag_created b alpha': 1,
      'platform.feature_flag_created c alpha': 1,
      'platform.feature_flag_created d alpha': 1,
      'platform.feature_flag_enabled a acme': 1,
      'platform.feature_flag_state_changed a beta': 1,
      'platform.feature_flag_state_changed b beta': 1,
      'platform.feature_flag_state_changed d beta': 1,
    });
    expect((await w.deploy(at(T0, 85))).json.steps).toEqual([]);
  });

  it('a platform that dies mid-deploy: nothing more is started, and the next deploy completes', async () => {
    let answered = 0;
    const holder: { world?: DeployWorld } = {};
    const w = await deployWorld({
      log: (line) => {
        // After the list call, the audit reads and two writes, the server goes away.
        if (/^(PUT|POST|GET)/.test(line) && ++answered === 7) {
          void holder.world!.platform.server.close();
        }
      },
    });
    holder.world = w;
    chain(w);
    const broken = await w.deploy(at(T0, 60), ['--retries', '1', '--concurrency', '1', '--adopt']);
    expect(broken.status).toBe(1);
    // Two writes, or three if one was already on its way when the server began to close.
    const applied = broken.json.counts.applied;
    expect([2, 3]).toContain(applied);
    const notAttempted = broken.json.steps.filter((s: any) => s.outcome === 'skipped');
    expect(notAttempted.length).toBeGreaterThanOrEqual(3);
    expect(notAttempted.some((s: any) => /the platform stopped answering/.test(s.message))).toBe(
      true,
    );

    await w.platform.restart();
    answered = -1_000_000;
    // After the platform's own 24 h for what it registered before it died.
    const next = await w.deploy(at(T0, 84), ['--adopt']);
    expect(next.status).toBe(0);
    expect(next.json.counts).toMatchObject({ applied: 8 - applied, failed: 0 });
  });

  it('converges through --fail-rate 0.3 with exactly one audit entry per change; a re-run is a no-op', async () => {
    const w = await deployWorld({ failRate: 0.3, random: seededRandom(20261124) });
    chain(w);
    w.repo.flag('analytics', {
      key: 'e',
      alpha_orgs: [{ org: 'novalien-internal' }, { org: 'globex', preview_agreement: PA }],
    });
    w.repo.flag('analytics', { key: 'f', depends_on: ['e', 'd'] }).commit(at(T0, 52));
    const result = await w.deploy(at(T0, 80), ['--adopt']);
    expect(result.stderr).toBe('');
    expect(result.json.counts).toMatchObject({ applied: 12, skipped: 0, failed: 0 });
    expect(result.status).toBe(0);

    const client = w.platform.newClient({ retries: 20 });
    const audit = await client.auditLog();
    const counts = countBy(audit.map((e) => `${e.action} ${e.flag} ${e.new_state ?? e.org}`));
    expect(Object.values(counts).every((n) => n === 1)).toBe(true);
    expect(audit.filter((e) => e.action === 'platform.feature_flag_state_changed')).toHaveLength(3);
    expect(audit).toHaveLength(12);

    const again = await w.deploy(at(T0, 81));
    expect(again.status).toBe(0);
    expect(again.json.steps).toEqual([]);
    expect(await client.auditLog()).toHaveLength(12);
  });
});
