import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadWorkingTree } from '../adapters/fs-flags.ts';
import { nearestKeys } from '../adapters/local-change.ts';
import {
  openPullRequestFor,
  preflightOpenPr,
  renderOpenPr,
  type OpenPrResult,
} from '../adapters/open-pr.ts';
import { colourEnabled, renderViolations, style, type Style } from '../adapters/terminal.ts';
import { runbookChecklist, type ChangeRequest } from '../core/change-request.ts';
import { CODEOWNERS_LOCATIONS, ownersOf, parseCodeowners, sameOwner } from '../core/codeowners.ts';
import { withFlagRules } from '../core/codeowners-block.ts';
import { UsageError } from '../core/errors.ts';
import { newFlagText, schemaPathFor } from '../core/flag-edit.ts';
import { FLAGS_DIR, flagsByKey } from '../core/load.ts';
import {
  hasErrors,
  KEY_MAX_LENGTH,
  KEY_PATTERN,
  type FlagFile,
  type FlagSet,
  type Violation,
} from '../core/model.ts';
import { keyFromPath, parseFlag } from '../core/parse-flag.ts';
import { staticRules } from '../core/rules/static-rules.ts';
import type { Command, OptionValues } from './command.ts';
import { singleKey } from './promote.ts';

const HANDLE =
  /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export const command: Command = {
  name: 'new',
  summary: "Add a flag at alpha in its owner's folder (and the CODEOWNERS rule it needs)",
  usage: 'new <key> --owner @org/team --description TEXT [--depends-on a,b] [--open-pr] [--json]',
  help: `Writes flags/<team>/<key>.yaml at alpha (Novalien-internal orgs only), with the schema line
editors use for completion. The folder is the one the owner's flags already live in, else
flags/<team>/ for @org/team (flags/<login>/ for @login). Checks first that the key is free across
the whole tree and that every dependency exists, and adds the owner to CODEOWNERS (the generated
flag block) when no rule names them for the new file yet.

Options:
  --owner HANDLE        the GitHub team (@org/team) or user (@login) that owns the feature
  --description TEXT    what the feature does, in a sentence customers could read
  --depends-on KEYS     flags this one needs, comma-separated (they must exist)
  --open-pr             commit on a new branch flags/new-<key>, push it to origin and open the
                        pull request (GITHUB_TOKEN, GITHUB_REPOSITORY)
  --json                {ok, flag, file, owner, depends_on, codeowners, violations, pr?}

Exit status: 0 written (and, with --open-pr, proposed), 1 the key is taken, a dependency does not
exist or a step of --open-pr failed, 2 bad option.`,
  options: {
    owner: { type: 'string' },
    description: { type: 'string' },
    'depends-on': { type: 'string', multiple: true },
    'open-pr': { type: 'boolean' },
  },
  allowPositionals: true,
  async run(values, positionals, ctx) {
    const input = parseInput(values, positionals);
    const s = style(colourEnabled(ctx.env, ctx.isTTY));
    const plan = planNewFlag(ctx.cwd, input);
    const { file, location, newOwners } = plan;
    if (hasErrors(plan.refusal)) {
      if (values.json) {
        const doc = { ok: false, flag: input.key, file, written: false, violations: plan.refusal };
        ctx.stdout(JSON.stringify(doc, null, 2) + '\n');
      } else {
        ctx.stdout(
          `${s.red('✗')} flag \`${input.key}\` not created; nothing was written\n\n${renderViolations(plan.refusal, s)}`,
        );
      }
      return 1;
    }

    const preflight = values['open-pr'] ? await preflightOpenPr(ctx.cwd) : null;
    writeNewFlag(ctx.cwd, plan);
    const request: ChangeRequest = {
      verb: 'new',
      key: input.key,
      owner: input.owner,
      rows: [{ flag: input.key, file, from: null, to: 'alpha' }],
      files: newOwners !== null ? [file, location] : [file],
      warnings: [],
    };
    const pr = preflight
      ? await openPullRequestFor({ cwd: ctx.cwd, env: ctx.env, progress: ctx }, preflight, request)
      : null;

    if (values.json) {
      const doc = {
        ok: pr?.ok ?? true,
        flag: input.key,
        file,
        owner: input.owner,
        depends_on: input.dependsOn,
        written: true,
        codeowners: { file: location, updated: newOwners !== null },
        violations: [],
        ...(pr ? { pr } : {}),
      };
      ctx.stdout(JSON.stringify(doc, null, 2) + '\n');
    } else {
      ctx.stdout(renderCreated(input, plan, request, pr, s));
    }
    return pr && !pr.ok ? 1 : 0;
  },
};

/** The new flag as it would be written: its file and text, what refuses it, the CODEOWNERS it needs. */
interface NewFlagPlan {
  file: string;
  text: string;
  /** Errors that refuse the flag: nothing is written when there is one. */
  refusal: Violation[];
  /** The CODEOWNERS file. */
  location: string;
  /** Its new text when no rule names the owner for the new file yet, else null. */
  newOwners: string | null;
}

/** Judges the new flag against the tree before anything is written. */
function planNewFlag(cwd: string, input: NewInput): NewFlagPlan {
  const set = loadWorkingTree(cwd);
  const file = `${ownerFolder(set, input.owner)}/${input.key}.yaml`;
  const refusal = [
    ...keyTaken(set, input.key),
    ...missingDependencies(set, input.key, file, input.dependsOn),
  ];
  const text = newFlagText({
    key: input.key,
    owner: input.owner,
    description: input.description,
    depends_on: input.dependsOn,
    schemaPath: schemaPathFor(file),
  });
  const parsed = parseFlag(text, file);
  if (refusal.length === 0 && (!parsed.flag || parsed.violations.length > 0))
    refusal.push(...parsed.violations);
  // CODEOWNERS: the rule that decides for the new file must name its owner.
  const location = CODEOWNERS_LOCATIONS.find((l) => existsSync(join(cwd, l))) ?? 'CODEOWNERS';
  const currentOwners = existsSync(join(cwd, location))
    ? readFileSync(join(cwd, location), 'utf8')
    : '';
  let newOwners: string | null = null;
  if (refusal.length === 0) {
    const added: FlagFile = { file, flag: parsed.flag!, lineOf: parsed.lineOf };
    const covered = ownersOf(parseCodeowners(currentOwners, location), file)?.owners.some((o) =>
      sameOwner(o, input.owner),
    );
    if (!covered) newOwners = withFlagRules(currentOwners, [...set.flags, added]);
    // The history-free rules on the tree with the new flag: a cycle through a dependency, say.
    const next: FlagSet = { ...set, flags: [...set.flags, added] };
    const found = staticRules(next, parseCodeowners(newOwners ?? currentOwners, location));
    refusal.push(...found.filter((v) => v.flag === input.key && v.severity === 'error'));
  }
  return { file, text, refusal, location, newOwners };
}

/** The flag file (never over an existing one) and, when it needs one, the CODEOWNERS rule. */
function writeNewFlag(cwd: string, plan: NewFlagPlan): void {
  mkdirSync(dirname(join(cwd, plan.file)), { recursive: true });
  writeFileSync(join(cwd, plan.file), plan.text, { flag: 'wx' });
  if (plan.newOwners !== null) writeFileSync(join(cwd, plan.location), plan.newOwners);
}

/** For people: what was written, the runbook's steps after the merge, how to propose it. */
function renderCreated(
  input: NewInput,
  plan: NewFlagPlan,
  request: ChangeRequest,
  pr: OpenPrResult | null,
  s: Style,
): string {
  const { file, location } = plan;
  const out = [
    `${s.green('✓')} Created ${file}: \`${input.key}\` at alpha, owned by ${input.owner}`,
  ];
  if (plan.newOwners !== null)
    out.push(`  updated ${location}: the generated flag rules now name ${input.owner} for ${file}`);
  const { after } = runbookChecklist(request);
  out.push('', s.bold('After the merge:'), ...after.map((l) => `  ${l}`), '');
  if (pr) {
    out.push(renderOpenPr(pr, s));
  } else {
    out.push(
      'Next: commit it on a branch and open a pull request (--open-pr does this for you):',
      `  git switch -c flags/new-${input.key}`,
      `  git add ${request.files.join(' ')} && git commit -m "Add flag ${input.key} (alpha)" -- ${request.files.join(' ')}`,
      `  git push -u origin flags/new-${input.key}`,
      '',
    );
  }
  return out.join('\n').replace(/\n*$/, '\n');
}

interface NewInput {
  key: string;
  owner: string;
  description: string;
  dependsOn: string[];
}

function parseInput(values: OptionValues, positionals: string[]): NewInput {
  const key = singleKey(positionals, 'new');
  if (!KEY_PATTERN.test(key) || key.length > KEY_MAX_LENGTH) {
    throw new UsageError(
      `'${key}' is not a valid key: lowercase letters and digits in words joined by single hyphens, starting with a letter, at most ${KEY_MAX_LENGTH} characters (e.g. live-view-v2)`,
    );
  }
  const owner = typeof values.owner === 'string' ? values.owner.trim() : '';
  if (!owner)
    throw new UsageError(
      '--owner is required: the GitHub team (@org/team) or user (@login) that owns the feature',
    );
  if (!HANDLE.test(owner)) {
    throw new UsageError(
      `--owner must be a GitHub team (@org/team) or user (@login), not '${owner}'`,
    );
  }
  const description = typeof values.description === 'string' ? values.description.trim() : '';
  if (!description) {
    throw new UsageError(
      '--description is required: what the feature does, in a sentence customers could read',
    );
  }
  const raw = (Array.isArray(values['depends-on']) ? values['depends-on'] : []).flatMap((v) =>
    v.split(','),
  );
  const dependsOn = raw.map((d) => d.trim()).filter((d) => d !== '');
  for (const dep of dependsOn) {
    if (!KEY_PATTERN.test(dep) || dep.length > KEY_MAX_LENGTH)
      throw new UsageError(`--depends-on: '${dep}' is not a valid key`);
  }
  if (dependsOn.includes(key))
    throw new UsageError(`--depends-on: \`${key}\` cannot depend on itself`);
  const twice = dependsOn.find((d, i) => dependsOn.indexOf(d) !== i);
  if (twice) throw new UsageError(`--depends-on names \`${twice}\` twice`);
  return { key, owner, description, dependsOn };
}

/** Where the owner's flags live: their existing folder, else flags/<team>/ or flags/<login>/. */
export function ownerFolder(set: FlagSet, owner: string): string {
  const counts = new Map<string, number>();
  for (const f of set.flags) {
    if (!sameOwner(f.flag.owner, owner)) continue;
    const dir = f.file.slice(0, f.file.lastIndexOf('/'));
    counts.set(dir, (counts.get(dir) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (best) return best[0];
  const handle = owner.replace(/^@/, '');
  return `${FLAGS_DIR}/${handle.slice(handle.indexOf('/') + 1).toLowerCase()}`;
}

function keyTaken(set: FlagSet, key: string): Violation[] {
  const taken = [
    ...set.flags.filter((f) => f.flag.key === key).map((f) => f.file),
    ...set.brokenFiles.filter((path) => keyFromPath(path) === key),
  ];
  if (taken.length === 0) return [];
  return [
    {
      rule: 'duplicate-key',
      severity: 'error',
      flag: key,
      file: taken[0]!,
      line: null,
      message: `key \`${key}\` is taken by ${[...new Set(taken)].join(', ')}: a key names one flag across the whole tree; pick another (e.g. ${key}-v2), or promote the existing flag with \`npx flags promote ${key}\``,
    },
  ];
}

function missingDependencies(
  set: FlagSet,
  key: string,
  file: string,
  dependsOn: readonly string[],
): Violation[] {
  const byKey = flagsByKey(set);
  const known = set.flags.map((f) => f.flag.key);
  return dependsOn.flatMap((dep): Violation[] => {
    if (byKey.has(dep)) return [];
    const broken = set.brokenFiles.find((path) => keyFromPath(path) === dep);
    const near = nearestKeys(dep, known);
    return [
      {
        rule: 'dependency-missing',
        severity: 'error',
        flag: key,
        file,
        line: null,
        message: broken
          ? `dependency \`${dep}\` is in ${broken}, which does not load as a flag: fix it first (npx flags validate)`
          : `unknown dependency \`${dep}\`: no flag of that key under flags/${near.length ? `; did you mean ${near.map((k) => `\`${k}\``).join(' or ')}?` : ''} Create it first (flags new ${dep} ...), or fix --depends-on`,
      },
    ];
  });
}
