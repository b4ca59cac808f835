import { describe, expect, it } from 'vitest';
import {
  GATE_MARKER,
  approvalsNeeded,
  changesTable,
  gateStatus,
  renderComment,
  revertCommand,
  text,
  when,
} from '../../scripts/core/gate-report.ts';
import type { CheckResult, CriterionResult, Violation } from '../../scripts/core/model.ts';

const NOW = '2026-11-27T10:00:00Z';

function result(partial: Partial<CheckResult> = {}): CheckResult {
  return {
    ok: true,
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    now: NOW,
    changes: [],
    violations: [],
    criteria: [],
    overrides: [],
    ...partial,
  };
}

const soak: Violation = {
  rule: 'soak',
  severity: 'error',
  flag: 'live-view',
  file: 'flags/video/live-view.yaml',
  line: 5,
  message: 'alpha to beta needs 24 h in alpha: allowed from 2026-11-27 14:00 UTC',
};

const promotion = {
  flag: 'live-view',
  file: 'flags/video/live-view.yaml',
  kind: 'promote' as const,
  from: 'alpha' as const,
  to: 'beta' as const,
  since: '2026-11-26T14:00:00Z',
  eligibleAt: '2026-11-27T14:00:00Z',
};

const betaCriteria: CriterionResult[] = [
  {
    flag: 'live-view',
    criterion: 'no-platform-errors-24h',
    status: 'met',
    label: 'no flag-related errors on the platform in the last 24 h',
    detail: '0 errors in the last 24 h',
  },
  {
    flag: 'live-view',
    criterion: 'owner-sign-off',
    status: 'manual',
    label: '@novalien/video signed off in #novavms-releases',
    detail: "confirmed by the owner team's review",
  },
];

describe('times', () => {
  it('reads as 2026-11-27 14:00 UTC', () => {
    expect(when('2026-11-27T14:00:00Z')).toBe('2026-11-27 14:00 UTC');
    expect(when(null)).toBe('—');
  });
});

describe('the commit status', () => {
  it('is pending with the time when only the soak blocks', () => {
    const r = result({ ok: false, changes: [promotion], violations: [soak] });
    expect(gateStatus(r)).toEqual({
      state: 'pending',
      description: 'Soak: allowed from 2026-11-27 14:00 UTC (live-view)',
      eligibleAt: '2026-11-27T14:00:00Z',
    });
    expect(gateStatus(r, { mergeGroup: true }).state).toBe('failure');
  });

  it('takes the latest soak when several flags wait', () => {
    const other = { ...promotion, flag: 'other', eligibleAt: '2026-11-29T08:00:00Z' };
    const r = result({
      ok: false,
      changes: [promotion, other],
      violations: [soak, { ...soak, flag: 'other' }],
    });
    expect(gateStatus(r).eligibleAt).toBe('2026-11-29T08:00:00Z');
  });

  it('is a failure when anything else blocks, success when nothing does', () => {
    const other: Violation = { ...soak, rule: 'exit-criteria', message: 'x' };
    expect(
      gateStatus(result({ ok: false, changes: [promotion], violations: [soak, other] })),
    ).toMatchObject({
      state: 'failure',
      description: 'Blocked: 2 errors: soak, exit-criteria',
    });
    expect(gateStatus(result()).state).toBe('success');
    const warning: Violation = { ...soak, rule: 'soak-override', severity: 'warning' };
    expect(gateStatus(result({ changes: [promotion], violations: [warning] })).description).toBe(
      'Ready: 1 flag change may merge (1 warning)',
    );
  });

  it('never exceeds 140 characters', () => {
    const many = Array.from({ length: 30 }, (_, i) => `flag-number-${i}`);
    const r = result({
      ok: false,
      changes: many.map((flag) => ({ ...promotion, flag })),
      violations: many.map((flag) => ({ ...soak, flag })),
    });
    const description = gateStatus(r).description;
    expect(description.length).toBeLessThanOrEqual(140);
    expect(description.endsWith('…')).toBe(true);
  });
});

describe('the changes table', () => {
  it('has flag, from, to, soak since, allowed from and criteria', () => {
    const table = changesTable(result({ changes: [promotion], criteria: betaCriteria }));
    expect(table.header).toEqual(['flag', 'from', 'to', 'soak since', 'allowed from', 'criteria']);
    expect(table.rows).toEqual([
      [
        'live-view',
        'alpha',
        'beta',
        '2026-11-26 14:00 UTC',
        '2026-11-27 14:00 UTC (waiting)',
        '1/2 met, 1 to confirm',
      ],
    ]);
  });
});

describe('the comment', () => {
  it('starts with the marker and shows table, checklist, violations and approvals', () => {
    const body = renderComment(
      result({ ok: false, changes: [promotion], violations: [soak], criteria: betaCriteria }),
      { approvals: ['carol'], owners: { 'live-view': '@novalien/video' }, strict: true },
    );
    expect(body.startsWith(`<!-- ${GATE_MARKER} -->\n`)).toBe(true);
    expect(body).toContain(
      '⏳ Flags gate: waiting for the soak, allowed from 2026-11-27 14:00 UTC',
    );
    expect(body).toContain('| flag | from | to | soak since | allowed from | criteria |');
    expect(body).toContain('| live-view | alpha | beta | 2026-11-26 14:00 UTC |');
    expect(body).toContain('**`live-view`: alpha → beta**');
    expect(body).toContain(
      '- [x] ✅ no flag-related errors on the platform in the last 24 h: 0 errors',
    );
    expect(body).toContain('- [ ] ✋ @novalien/video signed off in #novavms-releases');
    expect(body).toContain('**soak** · `live-view` · `flags/video/live-view.yaml:5`');
    expect(body).toContain('_Fix:_ wait');
    expect(body).toContain('Approved on the current head by @carol.');
    expect(body).toContain('a review from @novalien/video, the owner of `live-view`');
    expect(body).not.toContain('Revert path');
  });

  it('lists the runbook criteria the check did not report as unverified', () => {
    const toGa = { ...promotion, from: 'beta' as const, to: 'ga' as const };
    const body = renderComment(result({ changes: [toGa] }), {
      approvals: [],
      owners: {},
      strict: true,
    });
    expect(body).toContain(
      '- [ ] ⚠️ at least 10 customer orgs opted in: not reported by the check',
    );
    expect(body).toContain('at least 72 h of stable running in beta');
    expect(body).toContain('no open incident tagged to the flag');
  });

  it('shows the exact revert command for every promotion to ga', () => {
    const toGa = { ...promotion, flag: 'smart-search', from: 'beta' as const, to: 'ga' as const };
    const body = renderComment(result({ changes: [toGa, promotion] }), {
      approvals: [],
      owners: {},
      strict: true,
    });
    expect(revertCommand('smart-search')).toBe(
      'npx flags revert smart-search --reason "..." --incident <URL>',
    );
    expect(body).toContain(
      '```sh\nnpx flags revert smart-search --reason "..." --incident <URL>\n```',
    );
    expect(body).not.toContain('revert live-view');
  });

  it('names the decision-maker of an override and whether they approved', () => {
    const overrides = [
      {
        flag: 'live-view',
        decision_maker: '@Dana',
        incident: 'https://incidents.example/42',
        reason: 'fix | for <b>storm</b>',
      },
    ];
    const r = result({ changes: [promotion], overrides });
    const without = renderComment(r, {
      approvals: [],
      owners: { 'live-view': '@erin' },
      strict: true,
    });
    expect(without).toContain('| `live-view` | @Dana | ❌ not on the current head |');
    expect(without).toContain('fix \\| for &lt;b&gt;storm&lt;/b&gt;');
    expect(
      approvalsNeeded(r, { approvals: [], owners: { 'live-view': '@erin' }, strict: true }),
    ).toEqual([
      '@Dana, the decision-maker of the override of `live-view`',
      '@erin, the owner of `live-view`',
    ]);
    const withIt = renderComment(r, {
      approvals: ['dana', 'erin'],
      owners: { 'live-view': '@erin' },
      strict: true,
    });
    expect(withIt).toContain('| `live-view` | @Dana | ✅ yes |');
    expect(withIt).toContain('No further approval needed by the gate.');
  });

  it('keeps text from flag files from opening HTML or hiding a marker', () => {
    expect(text('a <!-- flags-gate --> b\nc `<kept>`')).toBe(
      'a &lt;!-- flags-gate --&gt; b c `<kept>`',
    );
  });
});
