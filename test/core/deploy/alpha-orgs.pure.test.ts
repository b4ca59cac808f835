// Staff enables for alpha_orgs: deploy enables what the file lists and disables what it removed,
// unless someone else toggled that org on the platform after the repository last touched it
// (drift, left alone). Who and when decide, to the entry.
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../scripts/core/deploy-plan.ts';
import { AUDIT_ORG_DISABLED, AUDIT_ORG_ENABLED } from '../../../scripts/core/deploy/model.ts';
import type { AuditEntry } from '../../../scripts/core/platform-model.ts';
import { HOUR, audit, before, facts, flag, history, onPlatform, set, steps } from './data.ts';

const ACME = { org: 'acme', preview_agreement: 'PA-1' };

/** `x` at beta on the platform with `enabled` orgs, the file listing `listed`. */
function orgPlan(opts: {
  listed: string[];
  enabled: string[];
  entries?: AuditEntry[];
  /** When the repository last listed or removed each org, hours ago. */
  repoHoursAgo?: Record<string, number>;
}) {
  const x = flag('x', {
    state: 'beta',
    alpha_orgs: opts.listed.map((org) => ({ org, preview_agreement: 'PA-1' })),
  });
  const h = history(['alpha', 300 * HOUR], ['beta', 200 * HOUR]);
  h.orgsChangedAt = Object.fromEntries(
    Object.entries(opts.repoHoursAgo ?? {}).map(([org, hours]) => [org, before(hours * HOUR)]),
  );
  return facts(set(x), [onPlatform(x, { orgs_enabled: opts.enabled })], {
    history: new Map([['x', h]]),
    audit: new Map([['x', opts.entries ?? []]]),
  });
}

const toggle = (action: string, actor: string, hoursAgo: number, org = 'acme'): AuditEntry =>
  audit({ action, flag: 'x', org, actor, at: before(hoursAgo * HOUR) });

describe('enabling a listed org', () => {
  const enable = (entries: AuditEntry[], repoHoursAgo?: number) =>
    orgPlan({
      listed: ['acme'],
      enabled: [],
      entries,
      ...(repoHoursAgo === undefined ? {} : { repoHoursAgo: { acme: repoHoursAgo } }),
    });

  it('enables it when nobody else turned it off, or the repository listed it since', () => {
    expect(steps(enable([]))).toEqual(['x:enable-org:acme apply']);
    expect(planDeploy(enable([])).steps[0]).toMatchObject({
      org: 'acme',
      from: 'beta',
      to: 'beta',
      changedBy: null,
    });
    expect(steps(enable([toggle(AUDIT_ORG_DISABLED, 'flags-deploy', 5)]))).toEqual([
      'x:enable-org:acme apply',
    ]);
    // Someone enabled it last (the platform has it off for another reason): not their choice.
    expect(steps(enable([toggle(AUDIT_ORG_ENABLED, 'oncall', 5)]))).toEqual([
      'x:enable-org:acme apply',
    ]);
    // Another org's toggle says nothing about this one.
    expect(steps(enable([toggle(AUDIT_ORG_DISABLED, 'oncall', 5, 'other')]))).toEqual([
      'x:enable-org:acme apply',
    ]);
    expect(steps(enable([toggle(AUDIT_ORG_DISABLED, 'oncall', 5)], 4))).toEqual([
      'x:enable-org:acme apply',
    ]);
  });

  it('leaves it off when someone else disabled it at or after the repository listed it', () => {
    for (const repo of [undefined, 5, 6]) {
      const plan = planDeploy(enable([toggle(AUDIT_ORG_DISABLED, 'oncall', 5)], repo));
      expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
        'x:enable-org:acme drift drift',
      ]);
      expect(plan.steps[0]).toMatchObject({
        org: 'acme',
        from: 'beta',
        to: 'beta',
        changedBy: { actor: 'oncall', at: before(5 * HOUR) },
      });
      expect(plan.steps[0]!.reason).toContain('`acme` was disabled for `x` by `oncall`');
    }
    // Only staff toggles count: a later entry of another kind for the org changes nothing.
    expect(
      steps(
        enable([
          toggle(AUDIT_ORG_DISABLED, 'oncall', 5),
          toggle('feature_flag.disabled', 'oncall', 4),
        ]),
      ),
    ).toEqual(['x:enable-org:acme drift drift']);
    // The latest toggle of the org decides.
    expect(
      steps(
        enable([
          toggle(AUDIT_ORG_DISABLED, 'flags-deploy', 6),
          toggle(AUDIT_ORG_DISABLED, 'oncall', 5),
        ]),
      ),
    ).toEqual(['x:enable-org:acme drift drift']);
    expect(
      steps(
        enable([
          toggle(AUDIT_ORG_DISABLED, 'oncall', 6),
          toggle(AUDIT_ORG_DISABLED, 'flags-deploy', 5),
        ]),
      ),
    ).toEqual(['x:enable-org:acme apply']);
  });
});

describe('disabling an org the file no longer lists', () => {
  const disable = (entries: AuditEntry[], repoHoursAgo?: number) =>
    orgPlan({
      listed: [],
      enabled: ['acme'],
      entries,
      ...(repoHoursAgo === undefined ? {} : { repoHoursAgo: { acme: repoHoursAgo } }),
    });

  it('disables what deploy turned on, or what the repository removed after the last toggle', () => {
    expect(steps(disable([toggle(AUDIT_ORG_ENABLED, 'flags-deploy', 5)]))).toEqual([
      'x:disable-org:acme apply',
    ]);
    expect(
      planDeploy(disable([toggle(AUDIT_ORG_ENABLED, 'flags-deploy', 5)])).steps[0],
    ).toMatchObject({ org: 'acme', from: 'beta', to: 'beta', changedBy: null });
    expect(steps(disable([], 5))).toEqual(['x:disable-org:acme apply']);
    expect(steps(disable([toggle(AUDIT_ORG_ENABLED, 'oncall', 5)], 4))).toEqual([
      'x:disable-org:acme apply',
    ]);
  });

  it('leaves alone an org someone else enabled at or after the repository last changed it', () => {
    for (const repo of [undefined, 5, 6]) {
      const plan = planDeploy(disable([toggle(AUDIT_ORG_ENABLED, 'oncall', 5)], repo));
      expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
        'x:disable-org:acme drift drift',
      ]);
      expect(plan.steps[0]).toMatchObject({
        changedBy: { actor: 'oncall', at: before(5 * HOUR) },
      });
      expect(plan.steps[0]!.reason).toContain('`acme` was enabled for `x` by `oncall`');
    }
  });

  it('leaves alone an org enabled by hand that the file never listed', () => {
    const plan = planDeploy(disable([]));
    expect(plan.steps.map((s) => `${s.id} ${s.kind} ${s.rule}`)).toEqual([
      'x:disable-org:acme drift drift',
    ]);
    expect(plan.steps[0]).toMatchObject({ org: 'acme', changedBy: null });
    expect(plan.steps[0]!.reason).toBe(
      '`acme` is enabled for `x` on the platform but was never in its `alpha_orgs`: left alone',
    );
  });
});

describe('orgs of a flag new to the platform', () => {
  it('enables every listed org after the registration, at alpha, whatever the audit says', () => {
    const x = flag('x', { alpha_orgs: [ACME] });
    const plan = planDeploy(
      facts(set(x), [], {
        audit: new Map([['x', [toggle(AUDIT_ORG_DISABLED, 'oncall', 5)]]]),
      }),
    );
    expect(plan.steps.map((s) => `${s.id} ${s.kind}`)).toEqual([
      'x:register apply',
      'x:enable-org:acme apply',
    ]);
    expect(plan.steps[1]).toMatchObject({
      org: 'acme',
      from: 'alpha',
      to: 'alpha',
      after: ['x:register'],
    });
  });
});
