// What reviewers read about a change, as data: the headline, the table's waiting mark and
// criteria counts, each criterion's mark, the violations with where to look, the approvals the
// pull request still needs, the override verdicts, and the job summary's sections.
import { describe, expect, it } from 'vitest';
import {
  approvalsNeeded,
  changesTable,
  headline,
  renderComment,
  renderDetails,
  type GateReportContext,
} from '../../../scripts/core/gate-report.ts';
import type {
  Change,
  CheckResult,
  CriterionResult,
  Violation,
} from '../../../scripts/core/model.ts';

const NOW = '2026-11-27T10:00:00Z';
const RUN = 'https://github.com/novalien/flags/actions/runs/42';

function result(partial: Partial<CheckResult> = {}): CheckResult {
  return {
    ok: true,
    base: '0123456789abcdef'.repeat(2) + '01234567',
    head: 'fedcba9876543210'.repeat(2) + '76543210',
    now: NOW,
    changes: [],
    violations: [],
    criteria: [],
    overrides: [],
    ...partial,
  };
}

function change(flag: string, partial: Partial<Change> = {}): Change {
  return {
    flag,
    file: `flags/video/${flag}.yaml`,
    kind: 'promote',
    from: 'beta',
    to: 'ga',
    since: '2026-11-20T10:00:00Z',
    eligibleAt: null,
    ...partial,
  };
}

function criterion(
  flag: string,
  name: CriterionResult['criterion'],
  status: CriterionResult['status'],
): CriterionResult {
  return { flag, criterion: name, status, label: `${name} label`, detail: `${name} detail` };
}

function violation(partial: Partial<Violation>): Violation {
  return {
    rule: 'schema',
    severity: 'error',
    flag: 'live-view',
    file: 'flags/video/live-view.yaml',
    line: 4,
    message: 'a message',
    ...partial,
  };
}

const context = (partial: Partial<GateReportContext> = {}): GateReportContext => ({
  approvals: [],
  owners: {},
  strict: true,
  ...partial,
});

describe('the headline', () => {
  it('says the verdict, when and on which commits it was judged', () => {
    expect(headline(result(), context())).toEqual([
      '### ✅ Flags gate: no flag changes',
      'Judged at 2026-11-27 10:00 UTC · base `0123456789ab` · head `fedcba987654` · strict',
    ]);
    expect(
      headline(result({ changes: [change('a')] }), context({ strict: false, runUrl: RUN })),
    ).toEqual([
      '### ✅ Flags gate: the change may merge',
      `Judged at 2026-11-27 10:00 UTC · base \`0123456789ab\` · head \`fedcba987654\` · [run](${RUN})`,
    ]);
  });

  it('counts only errors when blocked', () => {
    const r = result({
      ok: false,
      violations: [violation({}), violation({ rule: 'codeowners', severity: 'warning' })],
    });
    expect(headline(r, context())[0]).toBe('### ❌ Flags gate: blocked by 1 error');
  });

  it('when only the soak blocks, says it becomes mergeable by itself', () => {
    const r = result({
      ok: false,
      changes: [change('a', { eligibleAt: '2026-11-28T09:00:00Z' })],
      violations: [violation({ rule: 'soak', flag: 'a' })],
    });
    const [title, lines] = headline(r, context());
    expect(title).toBe(
      '### ⏳ Flags gate: waiting for the soak, allowed from 2026-11-28 09:00 UTC',
    );
    expect(lines!.split('\n')[1]).toBe(
      'Nothing else stands in the way: the scheduled re-check sets `flags/soak` to success once the soak has ended, and the pull request becomes mergeable by itself, no re-run needed.',
    );
  });
});

describe('the changes table', () => {
  it('marks an allowed time still ahead as waiting; a time reached, or none, is not', () => {
    const rows = changesTable(
      result({
        changes: [
          change('ahead', { eligibleAt: '2026-11-27T10:00:01Z' }),
          change('exactly', { eligibleAt: NOW }),
          change('past', { eligibleAt: '2026-11-27T09:00:00Z' }),
          change('none', { kind: 'create', from: null, since: null, to: 'alpha' }),
        ],
      }),
    ).rows.map((r) => [r[0], r[1], r[3], r[4]]);
    expect(rows).toEqual([
      ['ahead', 'beta', '2026-11-20 10:00 UTC', '2026-11-27 10:00:01 UTC (waiting)'],
      ['exactly', 'beta', '2026-11-20 10:00 UTC', '2026-11-27 10:00 UTC'],
      ['past', 'beta', '2026-11-20 10:00 UTC', '2026-11-27 09:00 UTC'],
      ['none', '—', '—', '—'],
    ]);
  });

  it('counts the criteria of a promotion by status; other changes have none', () => {
    const r = result({
      changes: [
        change('a'),
        change('b', { from: 'alpha', to: 'beta' }),
        change('c', { kind: 'revert', from: 'ga', to: 'beta' }),
        change('d', { kind: 'remove', to: null }),
      ],
      criteria: [
        criterion('a', 'opt-ins', 'unmet'),
        criterion('a', 'stable-72h', 'unmet'),
        criterion('a', 'no-open-incident', 'manual'),
        criterion('b', 'no-platform-errors-24h', 'met'),
        criterion('b', 'owner-sign-off', 'met'),
      ],
    });
    expect(changesTable(r).rows.map((row) => row[5])).toEqual([
      '0/3 met, 2 unmet, 1 to confirm',
      '2/2 met',
      '—',
      '—',
    ]);
    const unverified = result({
      changes: [change('a')],
      criteria: [criterion('a', 'opt-ins', 'met')],
    });
    // The two criteria the check did not report count as unverified.
    expect(changesTable(unverified).rows[0]![5]).toBe('1/3 met, 2 unverified');
  });
});

describe('the exit criteria checklist', () => {
  it('marks each status and says which could not be verified or need a person', () => {
    const r = result({
      changes: [change('a')],
      criteria: [
        criterion('a', 'no-open-incident', 'unverified'),
        criterion('a', 'opt-ins', 'met'),
        criterion('a', 'stable-72h', 'unmet'),
        criterion('a', 'owner-sign-off', 'manual'),
        criterion('other', 'opt-ins', 'unmet'),
      ],
    });
    expect(renderDetails(r, context())[0]).toBe(
      [
        '#### Exit criteria (runbook)',
        '',
        '**`a`: beta → ga**',
        // The runbook's order, then what the check reported beyond it.
        '- [x] ✅ opt-ins label: opt-ins detail',
        '- [ ] ❌ stable-72h label: stable-72h detail',
        '- [ ] ⚠️ no-open-incident label: no-open-incident detail (could not be verified)',
        '- [ ] ✋ owner-sign-off label: owner-sign-off detail (a person confirms this)',
      ].join('\n'),
    );
  });
});

describe('the violations list', () => {
  it('counts errors and warnings, and says where each is and how to fix it', () => {
    const r = result({
      ok: false,
      violations: [
        violation({}),
        violation({ rule: 'codeowners', severity: 'warning', line: null }),
        violation({ rule: 'file', flag: null, file: null, line: null, message: 'line one\n  two' }),
      ],
    });
    expect(renderDetails(r, context())).toEqual([
      [
        '#### Violations (2 errors, 1 warning)',
        '',
        '- ❌ **schema** · `live-view` · `flags/video/live-view.yaml:4`: a message',
        '  _Fix:_ fix the field as `schema/flag.schema.json` describes it (`npx flags validate`).',
        '- ⚠️ **codeowners** · `live-view` · `flags/video/live-view.yaml`: a message',
        "  _Fix:_ make the last matching CODEOWNERS rule for the file include the flag's `owner`.",
        '- ❌ **file**: line one two',
        '  _Fix:_ keep only `flags/**/<key>.yaml` files of at most 64 KiB of UTF-8 under `flags/`.',
      ].join('\n'),
    ]);
    expect(
      renderDetails(result({ violations: [violation({ severity: 'warning' })] }), context())[0],
    ).toMatch(/^#### Violations \(1 warning\)\n/);
  });
});

describe('the approvals the pull request still needs', () => {
  const override = {
    flag: 'a',
    decision_maker: '@Dana',
    incident: 'https://incidents.example/42',
    reason: 'storm',
  };

  it('a decision-maker who opened the pull request cannot decide; outside strict mode CI requires it', () => {
    const r = result({ changes: [change('a')], overrides: [override] });
    expect(approvalsNeeded(r, context({ author: 'dana' }))).toEqual([
      'a decision-maker other than the author for the override of `a` (@Dana opened this pull request)',
    ]);
    expect(approvalsNeeded(r, context({ author: 'erin', strict: false }))).toEqual([
      '@Dana, the decision-maker of the override of `a` (required in CI)',
    ]);
    expect(approvalsNeeded(r, context({ author: null, approvals: ['@DANA'] }))).toEqual([]);
  });

  it("a team owner's review for all its flags at once; a user owner until they approve", () => {
    const r = result({ changes: [change('a'), change('b'), change('c'), change('unowned')] });
    const owners = { a: '@novalien/video', b: '@erin', c: '@novalien/video' };
    expect(approvalsNeeded(r, context({ owners }))).toEqual([
      'a review from @novalien/video, the owner of `a`, `c`, unless given (CODEOWNERS and branch protection enforce it; a workflow cannot read team membership)',
      '@erin, the owner of `b`',
    ]);
    expect(approvalsNeeded(r, context({ owners, approvals: ['Erin'] }))).toEqual([
      'a review from @novalien/video, the owner of `a`, `c`, unless given (CODEOWNERS and branch protection enforce it; a workflow cannot read team membership)',
    ]);
  });

  it('the section lists who approved, whose approval does not count, and what is still needed', () => {
    const r = result({ changes: [change('a')], overrides: [override] });
    const details = renderDetails(
      r,
      context({
        approvals: ['@carol', 'frank'],
        refused: [{ login: 'Dana', permission: 'read' }],
        owners: { a: '@carol' },
      }),
    );
    expect(details).toContain(
      [
        '#### Approvals',
        'Approved on the current head by @carol, @frank.\n\nNot counted (only accounts with write access decide): @Dana (read access).',
        'Still needed:\n- [ ] @Dana, the decision-maker of the override of `a`',
      ].join('\n\n'),
    );
    expect(renderDetails(result({ changes: [change('a')] }), context())).toContain(
      '#### Approvals\n\nNo approval on the current head yet.\n\nNo further approval needed by the gate.',
    );
    expect(renderDetails(result(), context()).join('\n')).not.toContain('#### Approvals');
  });
});

describe('the overrides table', () => {
  it('says for each decision-maker whether their approval counts, and why not', () => {
    const overrides = ['@Author', '@Yes', '@Refused', '@Absent'].map((decision_maker, i) => ({
      flag: `f${i}`,
      decision_maker,
      incident: `https://incidents.example/${i}`,
      reason: 'storm',
    }));
    const details = renderDetails(
      result({ changes: [change('f0')], overrides }),
      context({
        author: 'author',
        approvals: ['yes'],
        refused: [{ login: 'refused', permission: 'read' }],
      }),
    );
    expect(details.find((d) => d.startsWith('#### Overrides'))).toBe(
      [
        '#### Overrides (soak skipped)',
        '',
        '| flag | decision-maker | approved | incident | reason |',
        '| --- | --- | --- | --- | --- |',
        '| `f0` | @Author | ❌ the author of this pull request cannot decide their own override | https://incidents.example/0 | storm |',
        '| `f1` | @Yes | ✅ yes | https://incidents.example/1 | storm |',
        '| `f2` | @Refused | ❌ approved, but without write access: does not count | https://incidents.example/2 | storm |',
        '| `f3` | @Absent | ❌ not on the current head | https://incidents.example/3 | storm |',
      ].join('\n'),
    );
  });
});

describe('the comment', () => {
  it('has nothing but the headline when there is nothing to say, and ends with a newline', () => {
    expect(renderComment(result(), context())).toBe(
      [
        '<!-- flags-gate -->',
        '### ✅ Flags gate: no flag changes',
        'Judged at 2026-11-27 10:00 UTC · base `0123456789ab` · head `fedcba987654` · strict',
      ].join('\n\n') + '\n',
    );
  });

  it('shows the revert path for a promotion to ga only, and the extra parts it is given', () => {
    const r = result({
      changes: [
        change('up'),
        change('down', { kind: 'revert', from: 'ga', to: 'beta' }),
        change('created', { kind: 'create', from: null, to: 'ga' }),
      ],
    });
    const body = renderComment(r, context(), { extra: ['EXTRA PART'] });
    expect(body).toContain('#### Revert path\n\nIf `up` misbehaves at ga');
    expect(body).not.toContain('If `down`');
    expect(body).not.toContain('If `created`');
    expect(body).toContain('| up | beta | ga | 2026-11-20 10:00 UTC | — | 0/3 met, 3 unverified |');
    // The extra parts (the job's notes) come right after the table.
    expect(body).toContain(
      '| created | — | ga | 2026-11-20 10:00 UTC | — | — |\n\nEXTRA PART\n\n#### Exit criteria',
    );
  });

  it('stays one character under its limit, and says where the rest is when cut', () => {
    const many = Array.from({ length: 200 }, (_, i) => violation({ message: `problem ${i}` }));
    const r = result({ ok: false, violations: many });
    const body = renderComment(r, context({ runUrl: RUN }), { maxChars: 3000 });
    expect(body.length).toBeLessThanOrEqual(3000);
    expect(body).toMatch(
      /_\d+ of 200 violations shown here: the \[run\]\(https:\/\/github\.com\/novalien\/flags\/actions\/runs\/42\) has them all\._\n$/,
    );
    const noRun = renderComment(r, context(), { maxChars: 3000 });
    expect(noRun).toMatch(/_\d+ of 200 violations shown here\._\n$/);
    const whole = renderComment(r, context());
    expect(renderComment(r, context(), { maxChars: whole.length })).toBe(whole);
    expect(renderComment(r, context(), { maxChars: whole.length - 1 })).not.toBe(whole);
  });

  it('cuts the changes table with its total, and escapes a | in a cell', () => {
    const changes = Array.from({ length: 300 }, (_, i) => change(`flag-${i}`, { kind: 'edit' }));
    const body = renderComment(result({ changes }), context({ runUrl: RUN }), { maxChars: 2000 });
    expect(body).toMatch(/_\d+ of 300 flag changes shown here: the \[run\]\(https:/);
    const odd = changesTable(result({ changes: [change('a|b')] }));
    expect(renderComment(result({ changes: [change('a|b')] }), context())).toContain(
      `| a\\|b | ${odd.rows[0]!.slice(1).join(' | ')} |`,
    );
  });
});

describe('the comment: edges', () => {
  it('a promotion to beta lists the two beta criteria the check did not report', () => {
    const r = result({ changes: [change('b', { from: 'alpha', to: 'beta' })] });
    expect(changesTable(r).rows[0]![5]).toBe('0/2 met, 2 unverified');
  });

  it('when even the headline does not fit, says so and where the rest is', () => {
    const body = renderComment(result({ changes: [change('a')] }), context({ runUrl: RUN }), {
      maxChars: 200,
    });
    expect(body.length).toBeLessThanOrEqual(200);
    expect(body).toMatch(
      /\n\n_The rest does not fit in a comment: the \[run\]\(https:\/\/github\.com\/novalien\/flags\/actions\/runs\/42\) has them all\._\n$/,
    );
  });
});
