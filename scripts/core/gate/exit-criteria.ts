// The runbook's exit criteria of a promotion, from the platform and incident facts, and the
// violations they become: unmet is an error, unverified a warning (an error if strict).
import type { Facts } from '../facts.ts';
import {
  MIN_BETA_OPT_INS,
  soakMs,
  type CriterionResult,
  type FlagFile,
  type State,
  type Violation,
} from '../model.ts';
import { flagViolation } from '../rules/violation.ts';
import { formatDuration } from '../time.ts';
import type { GateInput } from './input.ts';

type Judge<T> = (data: T) => { met: boolean; detail: string };

function fromFacts<T>(
  key: string,
  facts: Facts<T>,
  label: string,
  criterion: CriterionResult['criterion'],
  judge: Judge<T>,
): CriterionResult {
  if (facts.status !== 'ok')
    return { flag: key, criterion, status: 'unverified', label, detail: facts.reason };
  const { met, detail } = judge(facts.data);
  return { flag: key, criterion, status: met ? 'met' : 'unmet', label, detail };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function alphaExit(h: FlagFile, input: GateInput): CriterionResult[] {
  const key = h.flag.key;
  return [
    fromFacts(
      key,
      input.platform,
      'no flag-related errors on the platform in the last 24 h',
      'no-platform-errors-24h',
      (data) => {
        const flag = data.get(key);
        if (!flag)
          return { met: false, detail: `\`${key}\` is not on the platform, so no alpha ran there` };
        return {
          met: flag.error_count_24h === 0,
          detail: `${plural(flag.error_count_24h, 'error')} in the last 24 h`,
        };
      },
    ),
    {
      flag: key,
      criterion: 'owner-sign-off',
      status: 'manual',
      label: `${h.flag.owner} signed off in #novavms-releases`,
      detail: "confirmed by the owner team's review",
    },
  ];
}

function betaExit(h: FlagFile, input: GateInput, since: Date | null): CriterionResult[] {
  const key = h.flag.key;
  const stableFor = since ? input.now.getTime() - since.getTime() : 0;
  return [
    fromFacts(
      key,
      input.platform,
      `at least ${MIN_BETA_OPT_INS} customer orgs opted in`,
      'opt-ins',
      (data) => {
        const count = data.get(key)?.opt_in_count ?? 0;
        return { met: count >= MIN_BETA_OPT_INS, detail: `${plural(count, 'org')} opted in` };
      },
    ),
    {
      flag: key,
      criterion: 'stable-72h',
      status: since && stableFor >= soakMs('beta') ? 'met' : 'unmet',
      label: 'at least 72 h of stable running in beta',
      detail: since ? `${formatDuration(stableFor)} in beta` : 'time in beta unknown',
    },
    fromFacts(
      key,
      input.incidents,
      'no open incident tagged to the flag',
      'no-open-incident',
      (data) => {
        const open = data.get(key) ?? [];
        return {
          met: open.length === 0,
          detail:
            open.length === 0
              ? 'no open incident'
              : open.map((i) => `#${i.number} ${i.title}`).join('; '),
        };
      },
    ),
  ];
}

/**
 * The exit criteria of the state a promotion leaves (transition.ts calls this for promotions
 * only, so `from` is alpha or beta): alpha's for alpha to beta (and for a skip to ga, which is
 * refused anyway), beta's for beta to ga.
 */
export function exitCriteria(
  h: FlagFile,
  from: State,
  input: GateInput,
  since: Date | null,
): CriterionResult[] {
  return from === 'alpha' ? alphaExit(h, input) : betaExit(h, input, since);
}

export function criteriaViolations(
  criteria: readonly CriterionResult[],
  headByKey: ReadonlyMap<string, FlagFile>,
  strict: boolean,
): Violation[] {
  const violations: Violation[] = [];
  for (const c of criteria) {
    // 72 h stable in beta is the soak itself: its violation is `soak` (which an override may waive).
    if (c.criterion === 'stable-72h') continue;
    const h = headByKey.get(c.flag)!;
    if (c.status === 'unmet') {
      violations.push(
        flagViolation(
          'exit-criteria',
          h,
          ['state'],
          `exit criterion not met: ${c.label}: ${c.detail}`,
        ),
      );
    } else if (c.status === 'unverified') {
      violations.push(
        flagViolation(
          'exit-criteria-unverified',
          h,
          ['state'],
          `could not verify: ${c.label}: ${c.detail}${strict ? '' : ' (an error with --strict)'}`,
          strict ? 'error' : 'warning',
        ),
      );
    }
  }
  return violations;
}
