// A deploy report for people: in a terminal, and as the markdown tables of the job summary.
import type { Announcement } from '../core/announcements.ts';
import { formatTime } from '../core/time.ts';
import type { DeployReport, ReportStep } from './deploy-run.ts';
import type { Style } from './terminal.ts';

export function changeOf(s: ReportStep): string {
  if (s.org) return s.org;
  if (s.action === 'promote' || s.action === 'demote') return `${s.from} -> ${s.to}`;
  if (s.action === 'archive') return `${s.from} -> archived`;
  if (s.action === 'register') return 'new, at alpha';
  return '';
}

/** Every row: a reviewer reads the plan before a deploy, so nothing is cut. */
function table(rows: string[][], indent = '  '): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((r) => r[i]!.length))));
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

const ACTION_TITLE: Record<ReportStep['action'], string> = {
  demote: 'Demotions (reverts), first',
  register: 'Registrations (at alpha)',
  update: 'Metadata updates',
  'disable-org': 'Org disables',
  promote: 'Promotions',
  'enable-org': 'Org enables (alpha orgs)',
  archive: 'Archivals',
};

/**
 * The steps deploy applies, grouped by kind in plan order (dependencies first within each), each
 * group with its count, and in a deploy the count of each outcome.
 */
function stepGroups(apply: readonly ReportStep[], dryRun: boolean, s: Style): string[] {
  const groups = new Map<ReportStep['action'], ReportStep[]>();
  for (const x of apply) groups.set(x.action, [...(groups.get(x.action) ?? []), x]);
  const mark = (x: ReportStep): string =>
    x.outcome === 'applied'
      ? s.green('applied')
      : x.outcome === 'failed'
        ? s.red('failed ')
        : s.yellow('skipped');
  const out: string[] = [];
  for (const [action, steps] of groups) {
    const outcomes = [...new Set(steps.map((x) => x.outcome))].map(
      (o) => `${steps.filter((x) => x.outcome === o).length} ${o}`,
    );
    out.push(
      `  ${ACTION_TITLE[action]} (${steps.length}${dryRun ? '' : `: ${outcomes.join(', ')}`})`,
    );
    const rows = steps.map((x) => {
      const why = x.outcome === 'applied' || dryRun ? x.reason : (x.message ?? x.reason);
      return dryRun ? [x.flag, changeOf(x), why] : [mark(x), x.flag, changeOf(x), why];
    });
    out.push(...table(rows, '    '));
  }
  return out;
}

function allowed(s: ReportStep): string {
  return s.allowedAt ? ` (allowed from ${formatTime(new Date(s.allowedAt))})` : '';
}

export function renderReport(report: DeployReport, s: Style): string {
  const out: string[] = [];
  const apply = report.steps.filter((x) => x.kind === 'apply');
  const refused = report.steps.filter((x) => x.kind === 'refused');
  const held = report.steps.filter((x) => x.kind === 'held');
  const drift = report.steps.filter((x) => x.kind === 'drift');
  const verb = report.dryRun ? 'Plan' : 'Deploy';
  out.push(
    `${s.bold(verb)} of ${report.head.slice(0, 12)} to ${report.platform} (judged at ${formatTime(new Date(report.now))})`,
  );
  out.push('');

  out.push(...adoptedLines(report, s));
  if (apply.length === 0 && refused.length === 0 && held.length === 0) {
    out.push(
      `Nothing to change: the platform already matches the repository (${report.counts.inSync} flag${report.counts.inSync === 1 ? '' : 's'} in sync)${report.dryRun ? '' : '; a no-op deploy'}.`,
    );
  } else {
    out.push(s.bold(`Steps (${apply.length}), by kind`));
    out.push(...stepGroups(apply, report.dryRun, s));
    if (apply.length === 0) out.push('  none');
  }
  if (refused.length > 0) {
    out.push(
      '',
      s.bold(
        s.red(`Refused by the gate (${refused.length}): the merged state breaks the rollout rules`),
      ),
    );
    out.push(
      ...table(
        refused.map((x) => [x.action, x.flag, changeOf(x), `${x.rule}: ${x.reason}${allowed(x)}`]),
      ),
    );
  }
  if (held.length > 0) {
    out.push(
      '',
      s.bold(
        `Held (${held.length}): waiting for the platform's own clock (a soak there); not a failure, the next deploy applies them once allowed`,
      ),
    );
    out.push(
      ...table(held.map((x) => [x.action, x.flag, changeOf(x), `${x.reason}${allowed(x)}`])),
    );
  }
  if (drift.length > 0) {
    out.push(
      '',
      s.bold(
        s.yellow(`Drift (${drift.length}): changed on the platform by someone else; left alone`),
      ),
    );
    out.push(...table(drift.map((x) => [x.action, x.flag, changeOf(x), x.reason])));
  }
  if (report.verify && report.verify.checked > 0) {
    out.push('');
    out.push(
      report.verify.problems.length === 0
        ? `${s.green('✓')} verified: ${report.verify.checked} flag${report.verify.checked === 1 ? '' : 's'} read back as applied; the audit logs have the changes`
        : `${s.red('✗')} verify found ${report.verify.problems.length} problem${report.verify.problems.length === 1 ? '' : 's'}: ${report.verify.problems.map((p) => p.message).join('; ')}`,
    );
  }
  if (report.announcements.length > 0) {
    out.push(
      '',
      s.bold(report.dryRun ? 'Announcements to post once deployed' : 'Announcements to post'),
    );
    for (const a of report.announcements) out.push(...renderAnnouncement(a));
  }
  out.push('', summaryLine(report, s));
  return out.join('\n') + '\n';
}

/** --adopt is the operator's decision: said first, with every flag it covered. */
function adoptedLines(report: DeployReport, s: Style): string[] {
  const n = report.adopted.length;
  if (n === 0) return [];
  return [
    s.bold(
      s.yellow(
        `Adopted (--adopt): the operator took the repository's history as the witness for ${n} flag${n === 1 ? '' : 's'} the platform did not have; audited as actor 'flags-deploy --adopt'`,
      ),
    ),
    `  ${report.adopted.join(', ')}`,
    '',
  ];
}

function renderAnnouncement(a: Announcement): string[] {
  return ['', `  ${a.title} (${a.channel})`, ...a.text.split('\n').map((line) => `    ${line}`)];
}

export function summaryLine(report: DeployReport, s: Style): string {
  const c = report.counts;
  const parts = report.dryRun
    ? [
        `${c.planned} to apply`,
        `${c.refused} refused`,
        ...(c.held ? [`${c.held} held`] : []),
        `${c.drifted} drifted`,
        `${c.inSync} in sync`,
      ]
    : [
        `${c.applied} applied`,
        `${c.skipped} skipped`,
        `${c.failed} failed${c.refused ? ` (${c.refused} refused)` : ''}`,
        ...(c.held ? [`${c.held} held`] : []),
        `${c.drifted} drifted`,
        `${c.inSync} in sync`,
      ];
  const head = report.ok ? s.green('✓') : s.red('✗');
  return `${head} ${report.dryRun ? 'plan' : 'deploy'}: ${parts.join(', ')}`;
}

/** Markdown for the job summary: the plan and the result as tables, then the announcements. */
export function summaryMarkdown(report: DeployReport, maxRows = 200): string {
  const cell = (text: string): string =>
    text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
  const md = (header: string[], rows: string[][]): string[] => {
    if (rows.length === 0) return ['_none_'];
    const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
    for (const r of rows.slice(0, maxRows)) lines.push(`| ${r.map(cell).join(' | ')} |`);
    if (rows.length > maxRows)
      lines.push('', `… and ${rows.length - maxRows} more rows (the step's JSON output has all).`);
    return lines;
  };
  const c = report.counts;
  const out: string[] = [
    `## Flag ${report.dryRun ? 'plan (dry run)' : 'deploy'}: ${report.ok ? 'ok' : 'failed'}`,
    '',
    `Commit \`${report.head.slice(0, 12)}\` to \`${report.platform}\`, judged at ${report.now}.`,
    '',
    '### Plan',
    '',
    ...md(
      ['Flag', 'Step', 'Change', 'Why'],
      report.steps.map((x) => [
        `\`${x.flag}\``,
        x.action,
        changeOf(x),
        `${x.kind === 'apply' ? '' : `**${x.kind}** (${x.rule}) `}${x.reason}${allowed(x)}`,
      ]),
    ),
    '',
    '### Result',
    '',
    ...md(
      ['Applied', 'Skipped', 'Failed', 'Refused', 'Held', 'Drifted', 'In sync'],
      [
        [
          `${c.applied}`,
          `${c.skipped}`,
          `${c.failed}`,
          `${c.refused}`,
          `${c.held}`,
          `${c.drifted}`,
          `${c.inSync}`,
        ],
      ],
    ),
    '',
  ];
  const notApplied = report.steps.filter((x) => x.outcome !== 'applied' && x.outcome !== 'planned');
  if (!report.dryRun || notApplied.length > 0) {
    out.push(
      ...md(
        ['Flag', 'Step', 'Change', 'Outcome', 'Detail'],
        report.steps.map((x) => [
          `\`${x.flag}\``,
          x.action,
          changeOf(x),
          x.outcome,
          x.message ?? (x.outcome === 'applied' || x.outcome === 'planned' ? '' : x.reason),
        ]),
      ),
      '',
    );
  }
  if (report.verify && report.verify.problems.length > 0) {
    out.push('### Verify', '', ...report.verify.problems.map((p) => `- ${cell(p.message)}`), '');
  }
  if (report.announcements.length > 0) {
    out.push(`### Announcements${report.dryRun ? ' (once deployed)' : ''}`, '');
    for (const a of report.announcements)
      out.push(`#### ${a.title}`, '', ...a.text.split('\n').map((l) => `> ${l}  `), '');
  }
  return out.join('\n') + '\n';
}

/**
 * Appends the summary to the job summary file (GITHUB_STEP_SUMMARY in the given environment),
 * through @actions/core's summary, loaded only in a workflow. False outside one.
 */
export async function writeDeploySummary(
  report: DeployReport,
  env: Record<string, string | undefined>,
): Promise<boolean> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  const { summary } = await import('@actions/core');
  const { appendFile } = await import('node:fs/promises');
  // Built with core's buffer and appended to the environment's file, which may not be the
  // process's own (tests, npm start).
  const text = summary.emptyBuffer().addRaw(summaryMarkdown(report), true).stringify();
  summary.emptyBuffer();
  await appendFile(file, text);
  return true;
}
