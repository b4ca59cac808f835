// What the engineer commands say about a change: the branch name, the commit message, the pull
// request's title, body and labels, and the runbook steps left for people. Pure: plain data in,
// text out, so the wording is tested with strings and shared by the terminal and the PR.
import type { Override, Revert, State } from './model.ts';
import { formatTime } from './time.ts';

export type Verb = 'new' | 'promote' | 'revert';

/** One flag the change touches. */
export interface ChangeRow {
  flag: string;
  file: string;
  /** null for a new flag. */
  from: State | null;
  to: State;
  /** When the flag entered `from` (ISO), when known. */
  since?: string | null;
  /** When the soak allows the promotion (ISO), when one applies. */
  eligibleAt?: string | null;
  /** Why this row is here when it is not the flag the command was run for. */
  note?: string;
}

export interface ChangeRequest {
  verb: Verb;
  /** The flag the command was run for (its row comes first). */
  key: string;
  owner: string;
  /** Every owner of a flag the change writes, `owner` first (a revert may span teams). */
  owners?: string[];
  rows: ChangeRow[];
  /** Repo-relative paths the change writes. */
  files: string[];
  override?: Override;
  revert?: Revert;
  /** Public manual page, for the beta announcement. */
  manual?: string;
  /** Messages of the warnings the local gate gave (soak waived, criteria unverified, ...). */
  warnings: string[];
  /** When the gate was run locally (ISO), for the body. */
  checkedAt?: string;
}

const ARROW = '→';

/** `flags/promote-live-view` (the command adds `-2`, `-3`, ... when it is taken). */
export function branchName(request: ChangeRequest): string {
  return `flags/${request.verb}-${request.key}`;
}

/** Commit subject and pull request title: `Promote live-view to beta`. */
export function changeTitle(request: ChangeRequest): string {
  const row = request.rows[0];
  switch (request.verb) {
    case 'new':
      return `Add flag ${request.key} (alpha)`;
    case 'promote':
      return `Promote ${request.key} to ${row?.to ?? '?'}`;
    case 'revert': {
      const others = request.rows.length - 1;
      return `Revert ${request.key} to ${row?.to ?? '?'}${others > 0 ? ` (and ${others} dependent${others === 1 ? '' : 's'})` : ''}`;
    }
  }
}

/** The commit message: the title, a blank line, then what changed and why. */
export function commitMessage(request: ChangeRequest): string {
  const lines = request.rows.map(
    (r) => `- ${r.flag}: ${r.from ?? 'new'} -> ${r.to} (${r.file})${r.note ? `, ${r.note}` : ''}`,
  );
  if (request.override) {
    const o = request.override;
    lines.push('', `Soak waived by ${o.decision_maker} (${o.incident}): ${o.reason}`);
  }
  if (request.revert) {
    lines.push('', `Reason: ${request.revert.reason}`, `Incident: ${request.revert.incident}`);
  }
  lines.push('', `Made with \`flags ${request.verb}\`.`);
  return `${changeTitle(request)}\n\n${lines.join('\n')}\n`;
}

export function pullRequestLabels(request: ChangeRequest): string[] {
  const kind = request.verb === 'new' ? 'new-flag' : request.verb;
  return [kind, ...request.rows.map((r) => `flag:${r.flag}`)];
}

/** GitHub review requests for the owner: a team slug for `@org/team`, a login for `@login`. */
export function reviewersFor(owner: string): { reviewers: string[]; teamReviewers: string[] } {
  const handle = owner.replace(/^@/, '');
  const slash = handle.indexOf('/');
  return slash === -1
    ? { reviewers: [handle], teamReviewers: [] }
    : { reviewers: [], teamReviewers: [handle.slice(slash + 1).toLowerCase()] };
}

/** Review requests for every owner of the change: logins, team slugs, and the teams as written. */
export function reviewersForOwners(owners: readonly string[]): {
  reviewers: string[];
  teamReviewers: string[];
  teams: string[];
} {
  const reviewers = new Set<string>();
  const teamReviewers = new Set<string>();
  const teams = new Set<string>();
  for (const owner of owners) {
    const one = reviewersFor(owner);
    one.reviewers.forEach((r) => reviewers.add(r));
    if (one.teamReviewers.length > 0) teams.add(owner);
    one.teamReviewers.forEach((t) => teamReviewers.add(t));
  }
  return { reviewers: [...reviewers], teamReviewers: [...teamReviewers], teams: [...teams] };
}

/** The change as a Markdown table. */
export function changeTable(rows: readonly ChangeRow[]): string {
  const time = (iso: string | null | undefined): string => (iso ? formatTime(new Date(iso)) : '');
  const lines = [
    '| flag | file | change | in the state since | soak allows it from |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| \`${r.flag}\`${r.note ? ` (${r.note})` : ''} | \`${r.file}\` | ${r.from ?? 'new'} ${ARROW} ${r.to} | ${time(r.since)} | ${time(r.eligibleAt)} |`,
    ),
  ];
  return lines.join('\n');
}

const check = (text: string): string => `- [ ] ${text}`;

/** The runbook's steps for this change, split into before the merge and after the deploy. */
export function runbookChecklist(request: ChangeRequest): { before: string[]; after: string[] } {
  const row = request.rows[0];
  const key = request.key;
  const stateCall = (state: State) =>
    `the deploy sets the state on the platform (\`POST /api/v1/platform/feature-flags/${key}/state\` with \`{state: "${state}"}\`)`;
  if (request.verb === 'new') {
    return {
      before: [
        check(
          `${request.owner} agrees to own \`${key}\` (it starts in alpha: Novalien-internal orgs only)`,
        ),
      ],
      after: [
        check('After the merge the deploy registers the flag at alpha on the platform'),
        check(
          'Alpha runs 2–7 days; staff may enable it for design partners with a signed preview agreement (`alpha_orgs`)',
        ),
        check(`After at least 24 h in alpha, promote it: \`npx flags promote ${key}\``),
      ],
    };
  }
  if (request.verb === 'revert') {
    const to = row?.to ?? 'alpha';
    return {
      before: [check('Review quickly: a revert needs no soak, only the owners’ approval')],
      after: [
        check(
          `After the merge ${stateCall(to)}; orgs that had the feature see it disappear from their UI within 60 seconds`,
        ),
        check(
          `Post in #novavms-releases with the revert reason and a link to the incident thread${request.revert ? `: “${request.revert.reason}” — ${request.revert.incident}` : ''}`,
        ),
        check('Open a postmortem (see the Incident response runbook)'),
      ],
    };
  }
  if (row?.from === 'beta' && row.to === 'ga') {
    return {
      before: [
        check('Beta exit criteria: at least 10 customer orgs opted in'),
        check('At least 72 hours of stable running in beta'),
        check('No open incidents tagged to the feature'),
      ],
      after: [
        check(
          `After the merge ${stateCall('ga')}: default on for every org that has not opted out`,
        ),
        check(
          `Post the GA announcement, with the revert path: \`npx flags revert ${key} --reason "..." --incident https://...\``,
        ),
        check('Monitor for 24 h at full scale: watch error rates'),
        check(
          'After 7–14 days at GA, remove the flag from the codebase in a follow-up pull request',
        ),
      ],
    };
  }
  return {
    before: [
      check(
        'Alpha exit criteria: no flag-related errors in the platform audit log in the last 24 hours',
      ),
      check(`${request.owner} signed off in #novavms-releases`),
    ],
    after: [
      check(
        `After the merge ${stateCall('beta')}: available for customer opt-in, enabled for none`,
      ),
      check(
        `Announce in the customer release channel: a short summary, the /admin/feature-flags opt-in path${request.manual ? `, and the manual page ${request.manual}` : ', and the manual page (if public)'}`,
      ),
      check(
        'Monitor for 24 h: `platform.feature_flag_enabled` entries per org, and error rates on the endpoints the feature touches',
      ),
      check(
        'Collect opt-in feedback: two tickets with the same root cause block the next promotion',
      ),
    ],
  };
}

export function pullRequestBody(request: ChangeRequest): string {
  const { before, after } = runbookChecklist(request);
  const out: string[] = [];
  const row = request.rows[0];
  const what =
    request.verb === 'new'
      ? `Adds the flag \`${request.key}\` at alpha, owned by ${request.owner}.`
      : request.verb === 'promote'
        ? `Promotes \`${request.key}\` from ${row?.from ?? '?'} to ${row?.to ?? '?'}, owned by ${request.owner}.`
        : `Reverts \`${request.key}\` from ${row?.from ?? '?'} to ${row?.to ?? '?'}, owned by ${request.owner}.`;
  out.push(what, '', changeTable(request.rows), '');
  const others = (request.owners ?? []).filter((o) => o !== request.owner);
  if (others.length > 0) {
    out.push(
      `The change also writes flags owned by ${others.join(', ')}: every owner is asked to review.`,
      '',
    );
  }
  if (request.verb === 'revert' && request.rows.length > 1) {
    out.push(
      `Dependents are demoted with it, so that none stands above \`${request.key}\`: ${request.rows
        .slice(1)
        .map((r) => `\`${r.flag}\``)
        .join(', ')}.`,
      '',
    );
  }
  if (request.revert) {
    out.push(
      `**Reason:** ${request.revert.reason}  `,
      `**Incident:** ${request.revert.incident}`,
      '',
    );
  }
  if (request.override) {
    const o = request.override;
    out.push(`**Soak waived** by ${o.decision_maker}, decided in ${o.incident}: ${o.reason}`, '');
  }
  if (request.checkedAt) {
    out.push(
      `Checked locally with \`flags ${request.verb}\` at ${formatTime(new Date(request.checkedAt))}; CI (\`flags check\`) judges this pull request again.`,
      '',
    );
  }
  if (request.warnings.length > 0) {
    out.push('Warnings:', ...request.warnings.map((w) => `- ${w}`), '');
  }
  out.push('### Before merging', ...before, '', '### After the merge and deploy', ...after, '');
  out.push(`<sub>Opened by \`flags ${request.verb}\`.</sub>`);
  return out.join('\n') + '\n';
}
