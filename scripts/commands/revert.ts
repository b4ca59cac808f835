import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findWorkingFlag,
  judgeEdits,
  loadLocalContext,
  readFlagText,
} from '../adapters/local-change.ts';
import { openPullRequestFor, preflightOpenPr, renderOpenPr } from '../adapters/open-pr.ts';
import { colourEnabled, renderViolations, style } from '../adapters/terminal.ts';
import type { ChangeRequest, ChangeRow } from '../core/change-request.ts';
import { EvaluationError, UsageError } from '../core/errors.ts';
import { removeBlock, setRevert, setState } from '../core/flag-edit.ts';
import { flagsByKey } from '../core/load.ts';
import {
  hasErrors,
  STATES,
  stateRank,
  type FlagFile,
  type FlagSet,
  type Revert,
  type State,
} from '../core/model.ts';
import { revertProblems } from '../core/rules/blocks.ts';
import { decline, type Command, type OptionValues } from './command.ts';
import { singleKey } from './promote.ts';

export const command: Command = {
  name: 'revert',
  summary:
    'Demote a flag (default to alpha) with its reason and incident, and the dependents above it',
  usage: 'revert <key> --reason TEXT --incident URL [--to alpha|beta] [--open-pr] [--json]',
  help: `The runbook's revert path, as a change to the flag files: lowers the flag's state (to alpha
unless --to says beta), writes the \`revert\` block with the reason and the incident link, and
drops an \`override\` block. Flags that depend on it, directly or not, and would stand above it
are demoted too, with the same revert block, and listed. A revert needs no soak. Comments and
layout of the files are kept.

It starts from the committed state, as CI does: run again before committing, it redoes the revert
with the new reason; run on a flag already at alpha whose dependents still stand above it (the
gate's dependency-order message gives this command), it reverts those dependents.

It then prints the steps the runbook leaves for people: the post in #novavms-releases and the
postmortem. The platform changes when the change is merged and deployed; orgs see it within 60 s.

Options:
  --reason TEXT   why the flag is reverted (required)
  --incident URL  https link to the incident thread (required)
  --to STATE      the state to go back to, below the current one (default alpha)
  --open-pr       commit on a new branch flags/revert-<key>, push it to origin and open the pull
                  request (GITHUB_TOKEN, GITHUB_REPOSITORY)
  --json          {ok, flag, file, from, to, dependents, violations, pr?}

Exit status: 0 reverted (and, with --open-pr, proposed), 1 nothing to revert, the gate refuses
(nothing written) or a step of --open-pr failed, 2 bad option or cannot evaluate.`,
  options: {
    reason: { type: 'string' },
    incident: { type: 'string' },
    to: { type: 'string' },
    'open-pr': { type: 'boolean' },
  },
  allowPositionals: true,
  async run(values, positionals, ctx) {
    const key = singleKey(positionals, 'revert');
    const revert = revertOption(values);
    const s = style(colourEnabled(ctx.env, ctx.isTTY));
    const { set: working, file } = findWorkingFlag(ctx.cwd, key);
    const context = await loadLocalContext({
      cwd: ctx.cwd,
      keys: [key],
      now: ctx.clock(),
      env: ctx.env,
      promotion: false,
      progress: ctx,
    });
    const plan = planRevert(context.base, working, key, values);
    const { from, to } = plan;
    if (plan.files.length === 0) {
      const message = `\`${key}\` is at alpha already: there is nothing to revert it to. To take it away from the orgs in \`alpha_orgs\`, edit that list; to retire it, delete ${file.file} in a pull request.`;
      const document = { flag: key, file: file.file, from, to: null, dependents: [], message };
      return decline(ctx, Boolean(values.json), document, `${s.yellow('!')} ${message}`);
    }

    const preflight = values['open-pr'] ? await preflightOpenPr(ctx.cwd) : null;
    const { demotions, files } = plan;
    const edits = files.map((f) => ({
      path: f.file,
      text: removeBlock(
        setRevert(setState(readFlagText(ctx.cwd, f), demotions.get(f.flag.key)!), revert),
        'override',
      ),
    }));
    const result = judgeEdits(context, edits);
    const rows = changeRows(plan, key);
    const dependents = rows
      .filter((r) => r.flag !== key)
      .map((r) => ({ flag: r.flag, file: r.file, from: r.from, to: r.to }));

    if (hasErrors(result.relevant)) {
      const document = { ok: false, flag: key, file: file.file, from, to, dependents };
      ctx.stdout(
        values.json
          ? JSON.stringify({ ...document, written: false, violations: result.relevant }, null, 2) +
              '\n'
          : `${s.red('✗')} ${key}: ${from} to ${to} is refused by the rollout gate; nothing was written\n\n${renderViolations(result.relevant, s)}`,
      );
      return 1;
    }
    for (const edit of edits) writeFileSync(join(ctx.cwd, edit.path), edit.text);
    const request: ChangeRequest = {
      verb: 'revert',
      key,
      owner: file.flag.owner,
      rows,
      files: edits.map((e) => e.path),
      revert,
      warnings: result.relevant.filter((v) => v.severity === 'warning').map((v) => v.message),
    };
    const pr = preflight
      ? await openPullRequestFor({ cwd: ctx.cwd, env: ctx.env, progress: ctx }, preflight, request)
      : null;

    if (values.json) {
      const document = { ok: pr?.ok ?? true, flag: key, file: file.file, from, to, dependents };
      const steps = humanSteps(request);
      const more = { written: true, violations: result.relevant, steps, ...(pr ? { pr } : {}) };
      ctx.stdout(JSON.stringify({ ...document, ...more }, null, 2) + '\n');
      return pr && !pr.ok ? 1 : 0;
    }
    const out = renderDone(
      { key, from, to, file: file.file, rows, request, pr, paths: edits.map((e) => e.path) },
      s,
    );
    ctx.stdout(out.join('\n').replace(/\n*$/, '\n'));
    return pr && !pr.ok ? 1 : 0;
  },
};

interface Done {
  key: string;
  from: State;
  to: State;
  file: string;
  rows: ChangeRow[];
  request: ChangeRequest;
  pr: Awaited<ReturnType<typeof openPullRequestFor>> | null;
  paths: string[];
}

function renderDone(d: Done, s: ReturnType<typeof style>): string[] {
  const { key, from, to, rows, request, pr } = d;
  const out = [
    from === to
      ? `${s.green('✓')} ${s.bold(key)} is at ${to} already; the flags that depend on it and stood above it are reverted too`
      : `${s.green('✓')} Reverted ${s.bold(key)}: ${from} -> ${to} in ${d.file}, with its revert block`,
  ];
  const dependents = rows.filter((row) => row.flag !== key);
  if (dependents.length > 0) {
    out.push(`  Demoted with it, so that no dependent stands above ${key}:`);
    for (const r of dependents)
      out.push(`    ${r.flag}  ${r.from} -> ${r.to}  ${r.file}  (${r.note})`);
  }
  out.push(
    '',
    s.bold('Steps left for people (runbook, revert path):'),
    ...humanSteps(request).map((l, i) => `  ${i + 1}. ${l}`),
    '',
  );
  if (pr) {
    out.push(renderOpenPr(pr, s));
  } else {
    out.push(
      'Next: commit it on a branch and open a pull request (--open-pr does this for you):',
      `  git switch -c flags/revert-${key}`,
      `  git commit -m "Revert ${key} to ${to}" -- ${d.paths.join(' ')}`,
      `  git push -u origin flags/revert-${key}`,
      '',
    );
  }
  return out;
}

function revertOption(values: OptionValues): Revert {
  const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
  const incident = typeof values.incident === 'string' ? values.incident.trim() : '';
  if (!reason || !incident) {
    throw new UsageError(
      `a revert needs ${[!reason && '--reason "..."', !incident && '--incident https://...'].filter(Boolean).join(' and ')}: the reason and the link to the incident thread go into the flag file and the #novavms-releases post`,
    );
  }
  const problems = revertProblems({ reason, incident });
  if (problems.length > 0)
    throw new UsageError(
      `--incident must be an https:// link to the incident thread, not '${incident}'`,
    );
  return { reason, incident };
}

/** One row per file the revert lowers: the flag first, then dependents with how they depend. */
function changeRows(plan: ReturnType<typeof planRevert>, key: string): ChangeRow[] {
  const byKey = flagsByKey(plan.set);
  return plan.files.map((f) => ({
    flag: f.flag.key,
    file: f.file,
    from: byKey.get(f.flag.key)!.flag.state,
    to: plan.demotions.get(f.flag.key)!,
    ...(f.flag.key === key
      ? {}
      : { note: `depends on ${dependencyPath(plan.set, f.flag.key, key)}` }),
  }));
}

/**
 * What a revert changes. It starts from the committed state, which is what CI compares with:
 * a first revert still uncommitted in the working tree has not happened there yet, so running
 * it again continues it (with this run's reason) rather than finding nothing to do. A flag at
 * alpha already has nothing to revert, unless dependents still stand above it.
 */
export function planRevert(
  committed: FlagSet,
  working: FlagSet,
  key: string,
  values: OptionValues,
): { set: FlagSet; from: State; to: State; demotions: Map<string, State>; files: FlagFile[] } {
  const workingByKey = flagsByKey(working);
  const set = flagsByKey(committed).has(key) ? committed : working;
  const byKey = flagsByKey(set);
  const from = byKey.get(key)!.flag.state;
  const to = targetState(values, key, from);
  const demotions = demote(set, key, to);
  const files = [...demotions.keys()]
    .filter((k) => k !== key || from !== to)
    .map((k) => workingByKey.get(k) ?? byKey.get(k)!);
  const promoted = files.filter(
    (f) => stateRank(f.flag.state) > stateRank(byKey.get(f.flag.key)!.flag.state),
  );
  if (promoted.length > 0) {
    throw new EvaluationError(
      promoted
        .map(
          (f) =>
            `${f.file} has an uncommitted promotion (${byKey.get(f.flag.key)!.flag.state} at HEAD, ${f.flag.state} in the file)`,
        )
        .join('; ') +
        ': a revert starts from the committed state; commit it, or undo it (git restore <file>), and run this again',
    );
  }
  return { set, from, to, demotions, files };
}

/** The state to revert to (alpha when the flag is at alpha already). */
function targetState(values: OptionValues, key: string, from: State): State {
  const to = values.to ?? 'alpha';
  if (typeof to !== 'string' || !(STATES as readonly string[]).includes(to)) {
    throw new UsageError(`--to must be alpha or beta, not '${String(to)}'`);
  }
  if (from === 'alpha') return 'alpha';
  if (stateRank(to as State) >= stateRank(from)) {
    throw new UsageError(
      `\`${key}\` is at ${from}: --to must be a lower state (${STATES.slice(0, stateRank(from)).join(' or ')})`,
    );
  }
  return to as State;
}

/**
 * The flag at `to`, and every flag that depends on it (directly or through others) lowered to
 * the highest state its dependencies leave it: none stands above a dependency. In order: the
 * flag first, then dependents by key.
 */
export function demote(set: FlagSet, key: string, to: State): Map<string, State> {
  const byKey = flagsByKey(set);
  const lowered = new Map<string, State>([[key, to]]);
  const stateOf = (k: string): State | undefined => lowered.get(k) ?? byKey.get(k)?.flag.state;
  for (let changed = true; changed;) {
    changed = false;
    for (const f of set.flags) {
      for (const dep of f.flag.depends_on ?? []) {
        const depState = lowered.get(dep);
        const own = stateOf(f.flag.key)!;
        if (depState !== undefined && stateRank(own) > stateRank(depState)) {
          lowered.set(f.flag.key, depState);
          changed = true;
        }
      }
    }
  }
  const dependents = [...lowered.keys()].filter((k) => k !== key).sort();
  return new Map([[key, to], ...dependents.map((k): [string, State] => [k, lowered.get(k)!])]);
}

/** `b -> a` : how `from` depends on `root`, for the list of demoted dependents. */
function dependencyPath(set: FlagSet, from: string, root: string): string {
  const byKey = flagsByKey(set);
  const queue: string[][] = [[from]];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const path = queue.shift()!;
    for (const dep of byKey.get(path.at(-1)!)?.flag.depends_on ?? []) {
      if (dep === root) return [...path.slice(1), root].map((k) => `\`${k}\``).join(' -> ');
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push([...path, dep]);
      }
    }
  }
  return `\`${root}\``;
}

/** What the runbook leaves for people after a revert, in its words. */
export function humanSteps(request: ChangeRequest): string[] {
  const to = request.rows[0]?.to ?? 'alpha';
  return [
    `Get the change merged: the deploy then sets ${request.key} to ${to} on the platform; orgs that had the feature see it disappear from their UI within 60 seconds (the client re-fetches the flag list).`,
    `Post in #novavms-releases with the revert reason and a link to the incident thread: “${request.revert?.reason ?? ''}” — ${request.revert?.incident ?? ''}`,
    'Open a postmortem (see the Incident response runbook).',
  ];
}
