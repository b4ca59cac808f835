// What reviewers read about a change: the gate's CheckResult rendered as (a) the sticky pull
// request comment and (b) the job summary's table; (c) the commit status is gate-status.ts.
// Pure: data in, text out.
import type { Change, CheckResult, CriterionResult, State, Violation } from './model.ts';
import { BODY_MAX_CHARS, count, fitParts, type FitList, type FitPart } from './github-limits.ts';
import { RUNBOOK_CRITERIA, fixHint } from './gate-report-words.ts';
import { SOAK_CONTEXT, gateStatus, plural, when } from './gate-status.ts';

export { fixHint } from './gate-report-words.ts';
// The commit status has its own file; these names stay importable from the report.
export {
  SOAK_CONTEXT,
  gateStatus,
  statusDescription,
  when,
  type GateState,
  type GateStatus,
} from './gate-status.ts';

/** The hidden marker that identifies the gate's sticky comment. */
export const GATE_MARKER = 'flags-gate';

export interface GateReportContext {
  /** Logins approving the pull request's current head (latest review of each reviewer). */
  approvals: readonly string[];
  /** Approvals that do not count: accounts without write access, with their permission. */
  refused?: readonly { login: string; permission: string }[];
  /** The pull request's author: never the decision-maker of their own override. */
  author?: string | null;
  /** Each changed flag's `owner` (`@org/team` or `@login`), when known. */
  owners: Readonly<Record<string, string>>;
  strict: boolean;
  /** Where the full log is (the workflow run). */
  runUrl?: string | null;
}

/** The command that undoes a promotion to ga, ready to copy during an incident. */
export function revertCommand(key: string): string {
  return `npx flags revert ${key} --reason "..." --incident <URL>`;
}

// ---- (b) the changes table --------------------------------------------------------------

/** The changes as a table: a header row, then one row per change. Plain text cells. */
export function changesTable(result: CheckResult): { header: string[]; rows: string[][] } {
  return {
    header: ['flag', 'from', 'to', 'soak since', 'allowed from', 'criteria'],
    rows: result.changes.map((c) => [
      c.flag,
      c.from ?? '—',
      c.to ?? '—',
      when(c.since),
      allowedFrom(c, result),
      criteriaSummary(c, result.criteria),
    ]),
  };
}

function allowedFrom(c: Change, result: CheckResult): string {
  if (!c.eligibleAt) return '—';
  const early = Date.parse(c.eligibleAt) > Date.parse(result.now);
  return `${when(c.eligibleAt)}${early ? ' (waiting)' : ''}`;
}

function criteriaSummary(c: Change, criteria: readonly CriterionResult[]): string {
  if (!isPromotion(c)) return '—';
  const mine = criteriaFor(c, criteria);
  const count = (status: CriterionResult['status']) =>
    mine.filter((x) => x.status === status).length;
  const parts = [`${count('met')}/${mine.length} met`];
  if (count('unmet')) parts.push(`${count('unmet')} unmet`);
  if (count('unverified')) parts.push(`${count('unverified')} unverified`);
  if (count('manual')) parts.push(`${count('manual')} to confirm`);
  return parts.join(', ');
}

// ---- (a) the pull request comment -------------------------------------------------------

/**
 * The sticky comment's body, hidden marker first, within GitHub's 65,536 characters: a change too
 * large for it keeps its headline (with the totals) and shows the first rows of each list, each
 * cut list saying how many it shows of how many, with a link to the run for the rest.
 */
export function renderComment(
  result: CheckResult,
  context: GateReportContext,
  options: { maxChars?: number; extra?: readonly FitPart[] } = {},
): string {
  const table = changesTable(result);
  const seeRun = context.runUrl ? `: the [run](${context.runUrl}) has them all` : '';
  const parts: FitPart[] = [`<!-- ${GATE_MARKER} -->`, ...headline(result, context)];
  if (table.rows.length > 0) {
    parts.push({
      head: markdownTable(table.header, []),
      items: table.rows.map(tableRow),
      more: (shown, total) =>
        `_${count(shown)} of ${count(total)} flag changes shown here${seeRun}._`,
    });
  }
  parts.push(...(options.extra ?? []));
  parts.push(criteriaSection(result) ?? '');
  const violations = violationsList(result.violations, seeRun);
  if (violations) parts.push(violations);
  parts.push(
    ...[
      approvalsSection(result, context),
      overridesSection(result, context),
      revertSection(result),
    ].filter((s): s is string => s !== null),
  );
  const body = fitParts(
    parts.filter((p) => p !== ''),
    (options.maxChars ?? BODY_MAX_CHARS) - 1,
    { overflow: `_The rest does not fit in a comment${seeRun}._` },
  );
  return body + '\n';
}

/** Everything after the table: shared by the comment and the job summary. */
export function renderDetails(result: CheckResult, context: GateReportContext): string[] {
  const violations = violationsList(result.violations, '');
  return [
    criteriaSection(result),
    violations ? [violations.head, ...violations.items].join('\n') : null,
    approvalsSection(result, context),
    overridesSection(result, context),
    revertSection(result),
  ].filter((s): s is string => s !== null);
}

/** The verdict and where it was judged. */
export function headline(result: CheckResult, context: GateReportContext): string[] {
  const status = gateStatus(result);
  const errors = result.violations.filter((v) => v.severity === 'error').length;
  const title =
    status.state === 'success'
      ? result.changes.length === 0
        ? '✅ Flags gate: no flag changes'
        : '✅ Flags gate: the change may merge'
      : status.state === 'pending'
        ? `⏳ Flags gate: waiting for the soak, allowed from ${when(status.eligibleAt)}`
        : `❌ Flags gate: blocked by ${plural(errors, 'error')}`;
  const lines = [
    `Judged at ${when(result.now)} · base \`${result.base.slice(0, 12)}\` · head \`${result.head.slice(0, 12)}\`${context.strict ? ' · strict' : ''}${context.runUrl ? ` · [run](${context.runUrl})` : ''}`,
  ];
  if (status.state === 'pending') {
    lines.push(
      `Nothing else stands in the way: the scheduled re-check sets \`${SOAK_CONTEXT}\` to success once the soak has ended, and the pull request becomes mergeable by itself, no re-run needed.`,
    );
  }
  return [`### ${title}`, lines.join('\n')];
}

function criteriaSection(result: CheckResult): string | null {
  const promotions = result.changes.filter(isPromotion);
  if (promotions.length === 0) return null;
  const blocks = promotions.map((c) => {
    const items = criteriaFor(c, result.criteria).map((x) => {
      const mark = { met: '[x] ✅', unmet: '[ ] ❌', unverified: '[ ] ⚠️', manual: '[ ] ✋' }[
        x.status
      ];
      const note = {
        met: '',
        unmet: '',
        unverified: ' (could not be verified)',
        manual: ' (a person confirms this)',
      }[x.status];
      return `- ${mark} ${text(x.label)}: ${text(x.detail)}${note}`;
    });
    return [`**\`${c.flag}\`: ${c.from} → ${c.to}**`, ...items].join('\n');
  });
  return ['#### Exit criteria (runbook)', ...blocks].join('\n\n');
}

function violationsList(violations: readonly Violation[], seeRun: string): FitList | null {
  if (violations.length === 0) return null;
  const errors = violations.filter((v) => v.severity === 'error').length;
  const warnings = violations.length - errors;
  const counts = [
    errors ? plural(errors, 'error') : '',
    warnings ? plural(warnings, 'warning') : '',
  ]
    .filter(Boolean)
    .join(', ');
  const items = violations.map((v) => {
    const icon = v.severity === 'error' ? '❌' : '⚠️';
    const where = v.file ? ` · \`${v.file}${v.line ? `:${v.line}` : ''}\`` : '';
    const flag = v.flag ? ` · \`${v.flag}\`` : '';
    return `- ${icon} **${v.rule}**${flag}${where}: ${text(v.message)}\n  _Fix:_ ${fixHint(v.rule)}`;
  });
  return {
    head: `#### Violations (${counts})\n`,
    items,
    more: (shown, total) => `_${count(shown)} of ${count(total)} violations shown here${seeRun}._`,
  };
}

/** The approvals this pull request still needs, each as one line. */
export function approvalsNeeded(result: CheckResult, context: GateReportContext): string[] {
  const approved = new Set(context.approvals.map(login));
  const needed: string[] = [];
  const author = context.author ? login(context.author) : null;
  for (const o of result.overrides) {
    if (login(o.decision_maker) === author) {
      needed.push(
        `a decision-maker other than the author for the override of \`${o.flag}\` (${o.decision_maker} opened this pull request)`,
      );
    } else if (!approved.has(login(o.decision_maker))) {
      needed.push(
        `${o.decision_maker}, the decision-maker of the override of \`${o.flag}\`${context.strict ? '' : ' (required in CI)'}`,
      );
    }
  }
  for (const [owner, flags] of ownersOfChanges(result, context)) {
    const list = flags.map((f) => `\`${f}\``).join(', ');
    if (owner.includes('/')) {
      needed.push(
        `a review from ${owner}, the owner of ${list}, unless given (CODEOWNERS and branch protection enforce it; a workflow cannot read team membership)`,
      );
    } else if (!approved.has(login(owner))) {
      needed.push(`${owner}, the owner of ${list}`);
    }
  }
  return needed;
}

function approvalsSection(result: CheckResult, context: GateReportContext): string | null {
  if (result.changes.length === 0) return null;
  const needed = approvalsNeeded(result, context);
  const have = context.approvals.length
    ? `Approved on the current head by ${context.approvals.map((a) => `@${a.replace(/^@/, '')}`).join(', ')}.`
    : 'No approval on the current head yet.';
  const refused = context.refused?.length
    ? `\n\nNot counted (only accounts with write access decide): ${context.refused
        .map((r) => `@${r.login} (${r.permission} access)`)
        .join(', ')}.`
    : '';
  const list = needed.length
    ? ['Still needed:', ...needed.map((n) => `- [ ] ${n}`)].join('\n')
    : 'No further approval needed by the gate.';
  return ['#### Approvals', have + refused, list].join('\n\n');
}

function overridesSection(result: CheckResult, context: GateReportContext): string | null {
  if (result.overrides.length === 0) return null;
  const approved = new Set(context.approvals.map(login));
  const author = context.author ? login(context.author) : null;
  const refused = new Set((context.refused ?? []).map((r) => login(r.login)));
  const verdict = (decider: string) =>
    decider === author
      ? '❌ the author of this pull request cannot decide their own override'
      : approved.has(decider)
        ? '✅ yes'
        : refused.has(decider)
          ? '❌ approved, but without write access: does not count'
          : '❌ not on the current head';
  const rows = result.overrides.map((o) => [
    `\`${o.flag}\``,
    o.decision_maker,
    verdict(login(o.decision_maker)),
    o.incident,
    o.reason,
  ]);
  return [
    '#### Overrides (soak skipped)',
    markdownTable(['flag', 'decision-maker', 'approved', 'incident', 'reason'], rows),
  ].join('\n\n');
}

function revertSection(result: CheckResult): string | null {
  const toGa = result.changes.filter((c) => c.kind === 'promote' && c.to === 'ga');
  if (toGa.length === 0) return null;
  const blocks = toGa.map(
    (c) =>
      `If \`${c.flag}\` misbehaves at ga, this puts it back (then open a pull request with it):\n\n\`\`\`sh\n${revertCommand(c.flag)}\n\`\`\``,
  );
  return ['#### Revert path', ...blocks].join('\n\n');
}

// ---- helpers ----------------------------------------------------------------------------

function isPromotion(c: Change): c is Change & { from: State; to: State } {
  return c.kind === 'promote' && c.from !== null && c.to !== null;
}

/** The check's criteria for a promotion, in the runbook's order; any it did not report shown as such. */
function criteriaFor(c: Change, criteria: readonly CriterionResult[]): CriterionResult[] {
  const mine = criteria.filter((x) => x.flag === c.flag);
  const expected = c.to === 'beta' || c.to === 'ga' ? RUNBOOK_CRITERIA[c.to] : [];
  const ordered: CriterionResult[] = expected.map(
    (e) =>
      mine.find((x) => x.criterion === e.criterion) ?? {
        flag: c.flag,
        criterion: e.criterion,
        status: 'unverified',
        label: e.label,
        detail: 'not reported by the check',
      },
  );
  return [...ordered, ...mine.filter((x) => !ordered.includes(x))];
}

function ownersOfChanges(result: CheckResult, context: GateReportContext): Map<string, string[]> {
  const byOwner = new Map<string, string[]>();
  for (const c of result.changes) {
    const owner = context.owners[c.flag];
    if (!owner) continue;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), c.flag]);
  }
  return byOwner;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [tableRow(header), tableRow(header.map(() => '---')), ...rows.map(tableRow)].join('\n');
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

function cell(value: string): string {
  return text(value).replace(/\|/g, '\\|');
}

/**
 * Text from flag files (reasons, messages) in markdown: one line, and no HTML outside code spans,
 * so it cannot hide the marker, open a tag or break the layout.
 */
export function text(value: string): string {
  return value
    .replace(/\s*\n\s*/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('`');
}

function login(name: string): string {
  return name.replace(/^@/, '').toLowerCase();
}
