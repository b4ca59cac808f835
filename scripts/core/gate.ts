// The promotion gate: from the flags at base and head, the soak clocks, platform and incident
// facts and a clock, the changes and every violation of CONTRACT section 2. Pure.
import { isDeepStrictEqual } from 'node:util';
import type { Codeowners } from './codeowners.ts';
import type { Facts, IncidentFacts, PlatformFacts } from './facts.ts';
import { flagsByKey } from './load.ts';
import {
  MIN_BETA_OPT_INS,
  HOUR_MS,
  soakMs,
  stateRank,
  type Change,
  type CriterionResult,
  type FlagFile,
  type FlagSet,
  type State,
  type Violation,
} from './model.ts';
import { overrideProblems, revertProblems } from './rules/blocks.ts';
import { removableAt, removalBlocks } from './rules/removal.ts';
import { staticRules } from './rules/static-rules.ts';
import { flagViolation } from './rules/violation.ts';
import { formatDuration, formatTime, formatWhen, isoTime } from './time.ts';

export interface GateInput {
  base: FlagSet;
  head: FlagSet;
  headCodeowners: Codeowners | null;
  /** When each base flag entered its base state: first-parent committer time of the base. */
  clocks: ReadonlyMap<string, Date | null>;
  platform: PlatformFacts;
  incidents: IncidentFacts;
  now: Date;
  strict: boolean;
  /**
   * The history-free rules on head, when the caller applied them already (check does, while git
   * walks the history); applied here otherwise.
   */
  staticViolations?: readonly Violation[];
}

export interface GateResult {
  changes: Change[];
  violations: Violation[];
  criteria: CriterionResult[];
  overrides: { flag: string; decision_maker: string; incident: string; reason: string }[];
}

/** The keys whose soak clock the gate needs: flags changed or removed by the change. */
export function keysNeedingClock(base: FlagSet, head: FlagSet): string[] {
  const headByKey = flagsByKey(head);
  const keys: string[] = [];
  for (const [key, b] of flagsByKey(base)) {
    const h = headByKey.get(key);
    if (!h || h.file !== b.file || !isDeepStrictEqual(h.flag, b.flag)) keys.push(key);
  }
  return keys;
}

/** The soak clock: the later of git's time and the platform's `state_changed_at`. */
export function soakSince(
  key: string,
  gitSince: Date | null | undefined,
  platform: PlatformFacts,
): Date | null {
  let since = gitSince ?? null;
  if (platform.status === 'ok') {
    const at = platform.data.get(key)?.state_changed_at;
    const platformSince = at ? new Date(at) : null;
    if (
      platformSince &&
      !Number.isNaN(platformSince.getTime()) &&
      (!since || platformSince > since)
    ) {
      since = platformSince;
    }
  }
  return since;
}

export function evaluateGate(input: GateInput): GateResult {
  const { base, head, now } = input;
  const baseByKey = flagsByKey(base);
  const headByKey = flagsByKey(head);
  const violations: Violation[] = [
    ...(input.staticViolations ?? staticRules(head, input.headCodeowners)),
  ];
  const changes: Change[] = [];
  const criteria: CriterionResult[] = [];
  const overrides: GateResult['overrides'] = [];
  const unverifiedSeverity = input.strict ? 'error' : 'warning';

  const iso = (d: Date | null): string | null => (d ? isoTime(d) : null);

  for (const [key, h] of headByKey) {
    const b = baseByKey.get(key);
    if (!b) {
      changes.push({
        flag: key,
        file: h.file,
        kind: 'create',
        from: null,
        to: h.flag.state,
        since: null,
        eligibleAt: null,
      });
      if (h.flag.state !== 'alpha') {
        violations.push(
          flagViolation(
            'new-flag-state',
            h,
            ['state'],
            `a new flag starts at alpha (internal orgs only), not ${h.flag.state}: set \`state: alpha\`, then promote one step at a time`,
          ),
        );
      }
      continue;
    }
    const from = b.flag.state;
    const to = h.flag.state;
    const unchanged = h.file === b.file && isDeepStrictEqual(h.flag, b.flag);
    if (unchanged) continue;

    const since = soakSince(key, input.clocks.get(key), input.platform);
    const kind =
      stateRank(to) > stateRank(from)
        ? 'promote'
        : stateRank(to) < stateRank(from)
          ? 'revert'
          : 'edit';
    const change: Change = {
      flag: key,
      file: h.file,
      kind,
      from,
      to,
      since: iso(since),
      eligibleAt: null,
    };
    changes.push(change);

    violations.push(...driftRule(h, from, input.platform));
    const freshOverride =
      h.flag.override !== undefined && !isDeepStrictEqual(h.flag.override, b.flag.override);
    if (h.flag.override && !freshOverride) {
      violations.push(
        flagViolation(
          'override-invalid',
          h,
          ['override'],
          `this \`override\` is unchanged from the base, so it was used for an earlier change and is stale: an override waives the soak of the change made with it only; remove the block (and ask for a new decision if this change needs one)`,
        ),
      );
    }
    // An incomplete override is reported by the static rules; here it simply waives nothing.
    const overrideIssues = freshOverride ? overrideProblems(h) : [];

    if (kind === 'promote') {
      const soak = soakMs(from);
      const eligible = since ? new Date(since.getTime() + soak) : null;
      change.eligibleAt = iso(eligible);
      if (stateRank(to) - stateRank(from) > 1) {
        violations.push(
          flagViolation(
            'transition-skip',
            h,
            ['state'],
            `${from} to ${to} skips a state: rollout is one state at a time (alpha -> beta -> ga); promote to ${STEP_AFTER[from]} first`,
          ),
        );
      }
      // dependency-order on the change: a dependency must have reached the new state on the base.
      (h.flag.depends_on ?? []).forEach((dep, index) => {
        const depBase = baseByKey.get(dep);
        const depHead = headByKey.get(dep);
        if (!depHead || (depBase && stateRank(depBase.flag.state) >= stateRank(to))) return;
        if (depBase === undefined || stateRank(depHead.flag.state) >= stateRank(to)) {
          violations.push(
            flagViolation(
              'dependency-order',
              h,
              ['depends_on', index],
              `\`${key}\` goes to ${to} but its dependency \`${dep}\` was ${depBase ? depBase.flag.state : 'not there'} on the base: promote \`${dep}\` first, in its own change, and promote \`${key}\` after it has merged`,
            ),
          );
        }
      });
      const waived = freshOverride && overrideIssues.length === 0;
      const hours = soak / HOUR_MS;
      if (!since) {
        violations.push(
          flagViolation(
            'soak',
            h,
            ['state'],
            `no time is known for when \`${key}\` entered ${from}, so its ${hours} h soak cannot be verified`,
          ),
        );
      } else if (eligible && eligible > now) {
        if (waived) {
          const o = h.flag.override!;
          overrides.push({
            flag: key,
            decision_maker: o.decision_maker,
            incident: o.incident,
            reason: o.reason,
          });
          violations.push(
            flagViolation(
              'soak-override',
              h,
              ['override'],
              `soak waived by ${o.decision_maker} (${o.incident}): ${from} to ${to} would otherwise be allowed from ${formatTime(eligible)}; reason: ${o.reason}`,
              'warning',
            ),
          );
        } else {
          violations.push(
            flagViolation(
              'soak',
              h,
              ['state'],
              `${from} to ${to} comes too early: \`${key}\` has been in ${from} since ${formatTime(since)}, ${formatDuration(now.getTime() - since.getTime())} of the ${hours} h soak; allowed from ${formatWhen(eligible, now)}`,
            ),
          );
        }
      }
      criteria.push(...exitCriteria(h, from, to, input, since));
    }
    if (kind === 'revert') {
      const fresh = h.flag.revert !== undefined && !isDeepStrictEqual(h.flag.revert, b.flag.revert);
      const problems = fresh ? revertProblems(h.flag.revert!) : [];
      if (!fresh || problems.length > 0) {
        violations.push(
          flagViolation(
            'revert-reason',
            h,
            h.flag.revert ? ['revert'] : ['state'],
            fresh
              ? `the \`revert\` block ${problems.join(' and ')}: a revert needs a reason and the https link to its incident thread`
              : `${from} to ${to} lowers the state without a fresh \`revert\` block: add \`revert: {reason: "...", incident: "https://..."}\` for this revert (or use \`npm run flags -- revert ${key} --reason ... --incident URL\`)`,
          ),
        );
      }
    }
  }

  for (const [key, b] of baseByKey) {
    if (headByKey.has(key)) continue;
    // A file that no longer parses is reported where it is; it is not a removal.
    if (head.brokenFiles.some((f) => f.endsWith(`/${key}.yaml`))) continue;
    const since = soakSince(key, input.clocks.get(key), input.platform);
    const removable = removableAt(b.flag.state, since);
    changes.push({
      flag: key,
      file: b.file,
      kind: 'remove',
      from: b.flag.state,
      to: null,
      since: iso(since),
      eligibleAt: iso(removable),
    });
    const dependents = head.flags.filter((f) => f.flag.depends_on?.includes(key));
    for (const block of removalBlocks({
      key,
      state: b.flag.state,
      since,
      dependents: dependents.map((f) => f.flag.key),
      now,
    })) {
      violations.push({
        rule: 'removal',
        severity: 'error',
        flag: key,
        file: b.file,
        line: null,
        message: block.message,
      });
    }
  }

  // Exit criteria become violations: unmet is an error, unverified a warning (an error if strict).
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
          `could not verify: ${c.label}: ${c.detail}${input.strict ? '' : ' (an error with --strict)'}`,
          unverifiedSeverity,
        ),
      );
    }
  }
  changes.sort((a, b) => a.flag.localeCompare(b.flag));
  return { changes, violations, criteria, overrides };
}

const STEP_AFTER: Record<State, State> = { alpha: 'beta', beta: 'ga', ga: 'ga' };

function driftRule(h: FlagFile, baseState: State, platform: PlatformFacts): Violation[] {
  if (platform.status !== 'ok') return [];
  const actual = platform.data.get(h.flag.key);
  // A change that brings the repository in line with the platform (the PR after an on-call
  // revert) resolves the drift rather than adding to it.
  if (!actual || actual.state === baseState || actual.state === h.flag.state) return [];
  return [
    flagViolation(
      'drift',
      h,
      ['state'],
      `the platform has \`${h.flag.key}\` at ${actual.state} (since ${actual.state_changed_at}) but the base says ${baseState}: someone changed it on the platform (an on-call revert?); bring the repository in line with the platform first (e.g. \`flags revert\`), then make this change`,
    ),
  ];
}

function exitCriteria(
  h: FlagFile,
  from: State,
  to: State,
  input: GateInput,
  since: Date | null,
): CriterionResult[] {
  const key = h.flag.key;
  const out: CriterionResult[] = [];
  const fromFacts = <T>(
    facts: Facts<T>,
    label: string,
    criterion: CriterionResult['criterion'],
    judge: (data: T) => { met: boolean; detail: string },
  ): void => {
    if (facts.status !== 'ok') {
      out.push({ flag: key, criterion, status: 'unverified', label, detail: facts.reason });
      return;
    }
    const { met, detail } = judge(facts.data);
    out.push({ flag: key, criterion, status: met ? 'met' : 'unmet', label, detail });
  };
  const platformFlag = (
    data: ReadonlyMap<string, { error_count_24h: number; opt_in_count: number }>,
  ) => data.get(key);
  if (from === 'alpha' && to !== 'alpha') {
    fromFacts(
      input.platform,
      'no flag-related errors on the platform in the last 24 h',
      'no-platform-errors-24h',
      (data) => {
        const flag = platformFlag(data);
        if (!flag)
          return { met: false, detail: `\`${key}\` is not on the platform, so no alpha ran there` };
        return {
          met: flag.error_count_24h === 0,
          detail: `${flag.error_count_24h} error${flag.error_count_24h === 1 ? '' : 's'} in the last 24 h`,
        };
      },
    );
    out.push({
      flag: key,
      criterion: 'owner-sign-off',
      status: 'manual',
      label: `${h.flag.owner} signed off in #novavms-releases`,
      detail: "confirmed by the owner team's review",
    });
  }
  if (from === 'beta' && to === 'ga') {
    fromFacts(
      input.platform,
      `at least ${MIN_BETA_OPT_INS} customer orgs opted in`,
      'opt-ins',
      (data) => {
        const flag = platformFlag(data);
        const count = flag?.opt_in_count ?? 0;
        return {
          met: count >= MIN_BETA_OPT_INS,
          detail: `${count} org${count === 1 ? '' : 's'} opted in`,
        };
      },
    );
    const stableFor = since ? input.now.getTime() - since.getTime() : 0;
    out.push({
      flag: key,
      criterion: 'stable-72h',
      status: since && stableFor >= soakMs('beta') ? 'met' : 'unmet',
      label: 'at least 72 h of stable running in beta',
      detail: since ? `${formatDuration(stableFor)} in beta` : 'time in beta unknown',
    });
    fromFacts(
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
    );
  }
  return out;
}
