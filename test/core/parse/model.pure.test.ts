// The runbook's stages and soaks as the rules read them.
import { describe, expect, it } from 'vitest';
import {
  hasErrors,
  nextState,
  soakMs,
  stateRank,
  type Violation,
} from '../../../scripts/core/model.ts';

const HOUR = 3_600_000;

describe('the rollout stages', () => {
  it('go alpha, beta, ga, with nothing after ga', () => {
    expect([stateRank('alpha'), stateRank('beta'), stateRank('ga')]).toEqual([0, 1, 2]);
    expect(nextState('alpha')).toBe('beta');
    expect(nextState('beta')).toBe('ga');
    expect(nextState('ga')).toBeUndefined();
  });

  it('soak 24 h in alpha and 72 h in beta before the next promotion; ga has none', () => {
    expect(soakMs('alpha')).toBe(24 * HOUR);
    expect(soakMs('beta')).toBe(72 * HOUR);
    expect(soakMs('ga')).toBe(0);
  });
});

describe('hasErrors', () => {
  const finding = (severity: Violation['severity']): Violation => ({
    rule: 'soak',
    severity,
    flag: 'live-view',
    file: null,
    line: null,
    message: 'm',
  });

  it('is true when any finding is an error, warnings alone do not fail', () => {
    expect(hasErrors([])).toBe(false);
    expect(hasErrors([finding('warning')])).toBe(false);
    expect(hasErrors([finding('warning'), finding('error')])).toBe(true);
    expect(hasErrors([finding('error'), finding('warning')])).toBe(true);
  });
});
