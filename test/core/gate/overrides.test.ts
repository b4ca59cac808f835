// An override covers exactly one transition, and only a listed decision-maker may give one.
import { afterEach, describe, expect, it } from 'vitest';
import { parseDecisionMakers } from '../../../scripts/core/decision-makers.ts';
import { cleanupRepos, gitRepo } from '../../helpers/git-repo.ts';
import { check } from './run-check.ts';

afterEach(cleanupRepos);

const LIST = '.github/decision-makers.yaml';
const first = {
  decision_maker: '@cto',
  incident: 'https://incidents.example/42',
  reason: 'customer outage fix',
};

/** `live` at beta since 10:00 with the override that took it there; base is that commit. */
function betaWithOverride(list?: string) {
  const repo = gitRepo().flag('video', { key: 'live' });
  if (list !== undefined) repo.write(LIST, list);
  repo.commit('2026-11-24T09:00:00Z');
  repo.flag('video', { key: 'live', state: 'beta', override: first });
  return { repo, base: repo.commit('2026-11-24T10:00:00Z') };
}

describe('an override is stale when carried over from an earlier transition', () => {
  it('refuses the same incident with the reason and decision-maker reworded', async () => {
    const { repo, base } = betaWithOverride();
    const reworded = { ...first, decision_maker: '@vp', reason: 'customer outage fix, part two' };
    repo.flag('video', { key: 'live', state: 'ga', override: reworded });
    repo.commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(1);
    expect(out.errors).toEqual(['override-invalid', 'soak']);
    expect(out.find('override-invalid')!.message).toContain('however reworded');
    expect(out.json.overrides).toEqual([]);
  });

  it('sees through a copy of the link that differs in host case or a trailing slash', async () => {
    const { repo, base } = betaWithOverride();
    const copy = { ...first, incident: 'https://INCIDENTS.example/42/', reason: 'again' };
    repo.flag('video', { key: 'live', state: 'ga', override: copy });
    repo.commit('2026-11-24T11:00:00Z');
    expect((await check(repo, base)).errors).toEqual(['override-invalid', 'soak']);
  });

  it('accepts a new decision in another incident thread', async () => {
    const { repo, base } = betaWithOverride();
    const second = { ...first, incident: 'https://incidents.example/43' };
    repo.flag('video', { key: 'live', state: 'ga', override: second });
    repo.commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.errors).toEqual([]);
    expect(out.find('soak-override')!.severity).toBe('warning');
    expect(out.json.overrides).toEqual([{ flag: 'live', ...second }]);
  });
});

describe('the decision-maker list, read from the base', () => {
  it('without a list accepts anyone, and the warning says no list is configured', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    const base = repo.commit('2026-11-24T09:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override: first });
    repo.commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(0);
    expect(out.find('soak-override')!.message).toContain(
      `no decision-maker list is configured (${LIST})`,
    );
  });

  it('refuses an override by someone not on the list, naming the list', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.write(LIST, 'decision_makers:\n  - "@release-lead"\n');
    const base = repo.commit('2026-11-24T09:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override: first });
    repo.commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(1);
    expect(out.errors).toEqual(['override-invalid', 'soak']);
    const refused = out.find('override-invalid')!;
    expect(refused.message).toContain('@cto is not a decision-maker');
    expect(refused.message).toContain(LIST);
    expect(out.find('soak-override')).toBeUndefined();
  });

  it('accepts a listed login whatever its case, and says nothing about a missing list', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.write(LIST, 'decision_makers:\n  - "@CTO"\n');
    const base = repo.commit('2026-11-24T09:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override: first });
    repo.commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.status).toBe(0);
    expect(out.find('soak-override')!.message).not.toContain('no decision-maker list');
  });

  it('ignores a list the change itself edits: a change cannot name its own author', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.write(LIST, 'decision_makers:\n  - "@release-lead"\n');
    const base = repo.commit('2026-11-24T09:00:00Z');
    repo.write(LIST, 'decision_makers:\n  - "@release-lead"\n  - "@cto"\n');
    repo.flag('video', { key: 'live', state: 'beta', override: first });
    repo.commit('2026-11-24T11:00:00Z');
    expect((await check(repo, base)).errors).toEqual(['override-invalid', 'soak']);
  });

  it('lets no override waive anything while the list on the base does not load', async () => {
    const repo = gitRepo().flag('video', { key: 'live' });
    repo.write(LIST, 'decision_makers: "@cto"\n');
    const base = repo.commit('2026-11-24T09:00:00Z');
    repo.flag('video', { key: 'live', state: 'beta', override: first });
    repo.commit('2026-11-24T11:00:00Z');
    const out = await check(repo, base);
    expect(out.errors).toEqual(['override-invalid', 'soak']);
    expect(out.find('override-invalid')!.message).toContain('does not load');
  });
});

describe('parseDecisionMakers', () => {
  it('reads logins in lower case and refuses anything that is not a login list', () => {
    const list = parseDecisionMakers('decision_makers:\n  - "@Jane-Doe"\n  - "@ops"\n');
    expect(list).toEqual({ status: 'ok', file: LIST, logins: new Set(['@jane-doe', '@ops']) });
    expect(parseDecisionMakers(null).status).toBe('none');
    for (const bad of [
      'decision_makers:\n  - jane\n',
      'decision_makers:\n  - "@a b"\n',
      '- "@jane"\n',
      'decision_makers: [\n',
      'decision_makers: &a ["@x"]\nother: *a\n',
    ])
      expect(parseDecisionMakers(bad).status, bad).toBe('broken');
  });
});
