// What a refused `flags promote` tells the engineer to do next. The runbook's point: waiting (or
// an override) clears only the soak, so when a dependency or an exit criterion also stands in the
// way, the advice must never promise that a later run passes.
import { describe, expect, it } from 'vitest';
import type { Change, Override, Violation } from '../../../scripts/core/model.ts';
import { judgedLine, refusalHints } from '../../../scripts/core/refusal-advice.ts';

const change: Change = {
  flag: 'live',
  file: 'flags/video/live.yaml',
  kind: 'promote',
  from: 'alpha',
  to: 'beta',
  since: '2026-11-23T12:00:01Z',
  eligibleAt: '2026-11-24T12:00:01Z',
};

const violation = (
  rule: Violation['rule'],
  flag: string | null = 'live',
  severity: Violation['severity'] = 'error',
): Violation => ({
  rule,
  severity,
  flag,
  file: flag ? `flags/video/${flag}.yaml` : null,
  line: 3,
  message: `${rule} message`,
});

const override: Override = {
  decision_maker: '@cto',
  incident: 'https://chat.example/incident/1',
  reason: 'hotfix',
};

const OVERRIDE_COMMAND =
  '  npx flags promote live --override --decision-maker @login --incident https://... --reason "..."';

function hints(
  violations: Violation[],
  opts: { override?: Override | null; change?: Change | undefined } = {},
): string[] {
  return refusalHints({
    key: 'live',
    change: 'change' in opts ? opts.change : change,
    violations,
    override: opts.override ?? null,
  });
}

describe('refusalHints', () => {
  it('the soak alone: run again from the eligible time, or have a named person override it', () => {
    expect(hints([violation('soak')])).toEqual([
      'Run this again from 2026-11-24 12:00:01 UTC.',
      'Skipping the soak is an incident-channel decision by a named person; with one, run:',
      OVERRIDE_COMMAND,
    ]);
  });

  it('the soak alone with an override already given: only the time, no second override', () => {
    expect(hints([violation('soak')], { override })).toEqual([
      'Run this again from 2026-11-24 12:00:01 UTC.',
    ]);
  });

  it('the soak and another error: fix first, waiting does not clear it, an override is not enough', () => {
    expect(hints([violation('soak'), violation('dependency-order')])).toEqual([
      'This error needs a fix before the promotion can pass (dependency-order): each message above says how; waiting for the soak does not clear it.',
      'Once fixed, run this again from 2026-11-24 12:00:01 UTC (the soak).',
      'An --override would waive the soak only, never dependency-order: it is not enough here.',
    ]);
  });

  it('several other errors: counted, their rules named once each', () => {
    const out = hints([
      violation('exit-criteria'),
      violation('dependency-order', 'app'),
      violation('exit-criteria', 'app'),
    ]);
    expect(out).toEqual([
      'These 3 errors need a fix before the promotion can pass (exit-criteria, dependency-order): each message above says how.',
      'Once fixed, run this again.',
    ]);
  });

  it('with the soak and several errors, "them"; an override given is not offered again', () => {
    expect(
      hints([violation('soak'), violation('soak', 'app'), violation('dependency-order')], {
        override,
      }),
    ).toEqual([
      'These 2 errors need a fix before the promotion can pass (soak, dependency-order): each message above says how; waiting for the soak does not clear them.',
      'Once fixed, run this again from 2026-11-24 12:00:01 UTC (the soak).',
    ]);
  });

  it('warnings are no reason to refuse: none gets advice', () => {
    expect(
      hints([violation('exit-criteria', 'live', 'warning'), violation('soak', 'live', 'warning')]),
    ).toEqual([]);
  });

  it('a soak of another flag is an error to fix, not a wait for this one', () => {
    expect(hints([violation('soak', 'app')])).toEqual([
      'This error needs a fix before the promotion can pass (soak): each message above says how.',
      'Once fixed, run this again.',
    ]);
  });

  it('a soak without an eligible time gives no time to come back at', () => {
    expect(hints([violation('soak')], { change: { ...change, eligibleAt: null } })).toEqual([]);
    expect(hints([violation('soak')], { change: undefined })).toEqual([]);
    expect(
      hints([violation('soak'), violation('dependency-order')], { change: undefined }),
    ).toEqual([
      'This error needs a fix before the promotion can pass (dependency-order): each message above says how.',
      'Once fixed, run this again.',
      'An --override would waive the soak only, never dependency-order: it is not enough here.',
    ]);
  });

  it('unmet exit criteria under an override: the override does not waive them', () => {
    expect(hints([violation('exit-criteria')], { override })).toEqual([
      'This error needs a fix before the promotion can pass (exit-criteria): each message above says how.',
      'Once fixed, run this again.',
      'An override waives the soak only; unmet exit criteria still block the promotion.',
    ]);
    expect(hints([violation('exit-criteria', 'live', 'warning')], { override })).toEqual([]);
  });
});

describe('judgedLine', () => {
  it('names the protected branch and the command CI runs', () => {
    expect(judgedLine('origin/main')).toBe(
      'Judged against origin/main, as CI judges the pull request (npx flags check --base origin/main): this branch has not merged into it.',
    );
  });
});
