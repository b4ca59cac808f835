// The workflow policy, as a test: every action pinned to an allowed commit SHA (with its version
// as a comment), `permissions` at the top of every workflow, no `pull_request_target`, no
// `${{ }}` expressions inside `run:` scripts (untrusted text goes through `env:`), and
// `persist-credentials: false` on checkouts of jobs that do not push. actionlint checks the rest.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flagdArtifactProblems } from './helpers/deploy-artifact-policy.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The allowed pins: a copy of shared/ACTIONS-PINS.md (read from the actions' own repositories),
 * kept here so the test works in a fresh clone; when that file is beside the repository the copy
 * is checked against it.
 */
const ALLOWED_PINS: Record<string, Record<string, string>> = {
  'actions/checkout': {
    '3d3c42e5aac5ba805825da76410c181273ba90b1': 'v7.0.1',
    d23441a48e516b6c34aea4fa41551a30e30af803: 'v6.1.0',
  },
  'actions/setup-node': {
    '820762786026740c76f36085b0efc47a31fe5020': 'v7.0.0',
    '249970729cb0ef3589644e2896645e5dc5ba9c38': 'v6.5.0',
  },
  'actions/cache': {
    '27d5ce7f107fe9357f9df03efb73ab90386fccae': 'v5.0.5',
  },
};

/**
 * Pins beyond shared/ACTIONS-PINS.md, each read from the action's own repository the same way:
 * the commit its release tag points at. Listed apart, so the copy above still equals the shared
 * file exactly and any pin in neither list still fails.
 */
const PINS_FROM_ACTION_REPOSITORIES: Record<string, Record<string, string>> = {
  // From a mirror of github.com/actions/upload-artifact: `git rev-list -n1 v7.0.0` (a lightweight
  // tag) is this commit, whose action.yml runs on node24 and takes name, path, if-no-files-found
  // and retention-days. The deploy publishes the flagd file with it.
  'actions/upload-artifact': {
    bbbca2ddaa5d8feaa63e36b76fdaad77386f024f: 'v7.0.0',
  },
};

type Doc = Record<string, unknown>;

function asMap(value: unknown): Doc | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : null;
}

/** Problems with one `uses:` value and the raw line it is on. */
function checkUses(uses: string, rawLine: string | undefined, where: string): string[] {
  if (uses.startsWith('./')) return []; // an action of this repository
  if (uses.startsWith('docker://')) {
    return /@sha256:[0-9a-f]{64}$/.test(uses)
      ? []
      : [`${where}: docker image ${uses} is not pinned by digest`];
  }
  const at = uses.lastIndexOf('@');
  const name = at > 0 ? uses.slice(0, at) : uses;
  const ref = at > 0 ? uses.slice(at + 1) : '';
  if (!/^[0-9a-f]{40}$/.test(ref)) {
    return [`${where}: ${uses} is not pinned to a full commit SHA`];
  }
  const action = name.split('/').slice(0, 2).join('/');
  const version = ALLOWED_PINS[action]?.[ref] ?? PINS_FROM_ACTION_REPOSITORIES[action]?.[ref];
  if (!version)
    return [`${where}: ${action}@${ref} is not an allowed pin (shared/ACTIONS-PINS.md)`];
  const comment = /#\s*(\S+)/.exec(rawLine?.split(ref)[1] ?? '')?.[1];
  if (comment !== version) {
    return [`${where}: ${action}@${ref} must carry its version as a comment: # ${version}`];
  }
  return [];
}

function checkRun(run: unknown, where: string): string[] {
  if (typeof run !== 'string' || !run.includes('${{')) return [];
  const expressions = run.match(/\$\{\{[^}]*\}\}/g) ?? ['${{'];
  return [
    `${where}: run: contains ${expressions.join(', ')}; pass values through env: instead (untrusted text in a script is injection)`,
  ];
}

function rawUsesLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s*(-\s+)?uses:/.test(line));
}

function checkSteps(steps: unknown, text: string, where: string, canPush: boolean): string[] {
  if (!Array.isArray(steps)) return [];
  const raw = rawUsesLines(text);
  const problems: string[] = [];
  steps.forEach((value, i) => {
    const step = asMap(value) ?? {};
    const at = `${where} step ${typeof step['name'] === 'string' ? `'${step['name']}'` : i + 1}`;
    problems.push(...checkRun(step['run'], at));
    problems.push(...checkNodeVersion(step, at));
    const uses = step['uses'];
    if (typeof uses !== 'string') return;
    problems.push(
      ...checkUses(
        uses,
        raw.find((line) => line.includes(uses)),
        at,
      ),
    );
    if (uses.startsWith('actions/checkout@') && !canPush) {
      const persist = asMap(step['with'])?.['persist-credentials'];
      if (persist !== false && persist !== 'false') {
        problems.push(
          `${at}: actions/checkout needs persist-credentials: false (this job does not push)`,
        );
      }
    }
  });
  return problems;
}

function scalar(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The lowest Node.js major a workflow may set up (Node 20 ended in April 2026). */
const MIN_NODE = 24;

function checkNodeVersion(step: Doc, at: string): string[] {
  const uses = step['uses'];
  if (typeof uses !== 'string' || !uses.startsWith('actions/setup-node@')) return [];
  const version = Number.parseInt(scalar(asMap(step['with'])?.['node-version']), 10);
  return version >= MIN_NODE
    ? []
    : [
        `${at}: setup-node needs node-version: ${MIN_NODE} or later (it says ${version || 'nothing'})`,
      ];
}

/** Job-level rules: environments only from the protected branch, concurrency that cancels safely. */
function checkJob(job: Doc, where: string): string[] {
  const problems: string[] = [];
  if (job['environment'] !== undefined && !scalar(job['if']).includes("'refs/heads/main'")) {
    problems.push(
      `${where}: a job with an environment runs only for the protected branch: if: github.ref == 'refs/heads/main'`,
    );
  }
  return problems;
}

/**
 * A concurrency group that cancels runs in progress must name the event and the head SHA, so an
 * approval never cancels the run of a newer head (which would leave a cancelled required check).
 */
function checkConcurrency(concurrency: unknown, where: string): string[] {
  const c = asMap(concurrency);
  if (!c || (c['cancel-in-progress'] !== true && c['cancel-in-progress'] !== 'true')) return [];
  const group = scalar(c['group']);
  return group.includes('github.event_name') && /head[._]sha|github\.sha/.test(group)
    ? []
    : [`${where}: a cancelling concurrency group must name github.event_name and the head SHA`];
}

function triggers(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(asMap(on) ?? {});
}

/** Every policy problem of one workflow file; empty when it complies. */
export function workflowProblems(file: string, text: string): string[] {
  const doc = asMap(parse(text));
  if (!doc) return [`${file}: not a YAML mapping`];
  const problems: string[] = [];
  // `on` is a YAML 1.1 boolean in some parsers; the yaml package (1.2) keeps it a string key.
  const on = doc['on'] ?? doc['true'];
  if (triggers(on).includes('pull_request_target')) {
    problems.push(
      `${file}: pull_request_target runs untrusted code with a write token; use pull_request`,
    );
  }
  const pullRequest = asMap(asMap(on)?.['pull_request']);
  const types = pullRequest?.['types'];
  if (Array.isArray(types) && !types.includes('edited')) {
    problems.push(`${file}: pull_request types need 'edited' (retargeting a pull request to main)`);
  }
  problems.push(...checkConcurrency(doc['concurrency'], file));
  if (!('permissions' in doc)) {
    problems.push(
      `${file}: no top-level permissions (start from permissions: {} and grant per job)`,
    );
  } else if (doc['permissions'] === 'write-all') {
    problems.push(`${file}: top-level permissions: write-all`);
  }
  for (const [id, value] of Object.entries(asMap(doc['jobs']) ?? {})) {
    const job = asMap(value) ?? {};
    const where = `${file} job ${id}`;
    if (job['permissions'] === 'write-all') problems.push(`${where}: permissions: write-all`);
    problems.push(...checkJob(job, where), ...checkConcurrency(job['concurrency'], where));
    const canPush = asMap(job['permissions'])?.['contents'] === 'write';
    if (typeof job['uses'] === 'string') {
      problems.push(
        ...checkUses(
          job['uses'],
          rawUsesLines(text).find((l) => l.includes(job['uses'] as string)),
          where,
        ),
      );
    }
    problems.push(...checkSteps(job['steps'], text, where, canPush));
  }
  return problems;
}

/** Every policy problem of one composite action (action.yml); empty when it complies. */
export function actionProblems(file: string, text: string): string[] {
  const doc = asMap(parse(text));
  if (!doc) return [`${file}: not a YAML mapping`];
  const runs = asMap(doc['runs']) ?? {};
  return checkSteps(runs['steps'], text, file, false);
}

function files(dir: string, pick: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(pick)
    .map((name) => join(dir, name));
}

const workflows = files(join(ROOT, '.github/workflows'), (n) => /\.ya?ml$/.test(n));
const actions = files(join(ROOT, '.github/actions'), (n) => /(^|\/)action\.ya?ml$/.test(n));

describe('the repository workflows', () => {
  it('include the gate, the deploy, the re-check and the report', () => {
    const names = workflows.map((f) => relative(ROOT, f));
    expect(names.length).toBeGreaterThanOrEqual(4);
    const on = workflows.flatMap((f) => triggers(asMap(parse(readFileSync(f, 'utf8')))?.['on']));
    for (const event of ['pull_request', 'merge_group', 'push', 'schedule'])
      expect(on).toContain(event);
  });

  it("keeps dry runs of the deploy out of the real deploys' concurrency group", () => {
    const deploy = asMap(
      parse(readFileSync(join(ROOT, '.github/workflows/flags-deploy.yml'), 'utf8')),
    );
    const group = scalar(asMap(deploy?.['concurrency'])?.['group']);
    // The expression gives each dry run a group of its own run id, and real deploys one shared group.
    expect(group).toMatch(
      /inputs\.dry-run && format\('flags-deploy-dry-run-\{0\}', github\.run_id\) \|\| 'flags-deploy'/,
    );
    expect(asMap(deploy?.['concurrency'])?.['cancel-in-progress']).toBe(false);
    expect(actions.map((f) => relative(ROOT, f))).toContain(
      join('.github', 'actions', 'deploy', 'action.yml'),
    );
  });

  it.each(workflows.map((f) => [relative(ROOT, f), f]))('%s follows the policy', (name, file) => {
    expect(workflowProblems(name, readFileSync(file, 'utf8'))).toEqual([]);
  });

  it.each(actions.map((f) => [relative(ROOT, f), f]))('%s follows the policy', (name, file) => {
    expect(actionProblems(name, readFileSync(file, 'utf8'))).toEqual([]);
  });

  const pinsFile = resolve(ROOT, '../shared/ACTIONS-PINS.md');
  it.skipIf(!existsSync(pinsFile))('allows exactly the pins of shared/ACTIONS-PINS.md', () => {
    const table = readFileSync(pinsFile, 'utf8');
    const listed: Record<string, Record<string, string>> = {};
    for (const m of table.matchAll(
      /^\|\s*([\w.-]+\/[\w.-]+)\s*\|\s*(v[\w.]+)\s*\|\s*`([0-9a-f]{40})`\s*\|/gm,
    )) {
      const [, action, version, sha] = m as unknown as [string, string, string, string];
      (listed[action] ??= {})[sha] = version;
    }
    expect(listed).toEqual(ALLOWED_PINS);
  });
});

describe('the policy check itself', () => {
  const good = `
name: good
on: [pull_request]
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - env:
          TITLE: \${{ github.event.pull_request.title }}
        run: echo "$TITLE"
`;

  it('passes a compliant workflow', () => {
    expect(workflowProblems('good.yml', good)).toEqual([]);
  });

  it('fails a workflow without permissions', () => {
    const bad = good.replace('permissions: {}\n', '');
    expect(workflowProblems('bad.yml', bad).join('\n')).toMatch(/no top-level permissions/);
  });

  it('fails pull_request_target in any trigger form', () => {
    expect(
      workflowProblems('a.yml', good.replace('[pull_request]', '[pull_request_target]')),
    ).toHaveLength(1);
    expect(
      workflowProblems('b.yml', good.replace('on: [pull_request]', 'on: pull_request_target')),
    ).toHaveLength(1);
    expect(
      workflowProblems(
        'c.yml',
        good.replace('on: [pull_request]', 'on:\n  pull_request_target:\n    types: [opened]'),
      ),
    ).toHaveLength(1);
  });

  it('fails an action pinned by tag, by an unknown SHA, or without its version comment', () => {
    const byTag = good.replace('@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1', '@v7');
    expect(workflowProblems('tag.yml', byTag).join('\n')).toMatch(
      /not pinned to a full commit SHA/,
    );
    const unknown = good.replace('3d3c42e5aac5ba805825da76410c181273ba90b1', 'a'.repeat(40));
    expect(workflowProblems('unknown.yml', unknown).join('\n')).toMatch(/not an allowed pin/);
    const noComment = good.replace(' # v7.0.1', '');
    expect(workflowProblems('nocomment.yml', noComment).join('\n')).toMatch(/# v7.0.1/);
    const other = good.replace(
      'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      'someone/tool@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
    );
    expect(workflowProblems('other.yml', other).join('\n')).toMatch(/not an allowed pin/);
  });

  it('fails expressions inside run:', () => {
    for (const expression of [
      '${{ github.event.pull_request.title }}',
      '${{ github.head_ref }}',
      '${{ inputs.name }}',
    ]) {
      const bad = good.replace('echo "$TITLE"', `echo "${expression}"`);
      expect(workflowProblems('run.yml', bad).join('\n')).toMatch(/pass values through env/);
    }
  });

  it('fails a checkout that keeps credentials in a job that does not push', () => {
    const bad = good.replace('        with:\n          persist-credentials: false\n', '');
    expect(workflowProblems('persist.yml', bad).join('\n')).toMatch(/persist-credentials: false/);
    const pushes = bad.replace('contents: read', 'contents: write');
    expect(workflowProblems('push.yml', pushes)).toEqual([]);
  });

  it('fails a setup-node older than Node 24', () => {
    const old = good.replace(
      '      - env:',
      '      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0\n        with:\n          node-version: 20\n      - env:',
    );
    expect(workflowProblems('node.yml', old).join('\n')).toMatch(/node-version: 24 or later/);
    expect(
      workflowProblems('node.yml', old.replace('node-version: 20', 'node-version: 24')),
    ).toEqual([]);
  });

  it('fails a job with an environment that any branch can run', () => {
    const deploy = good.replace('    runs-on:', '    environment: production\n    runs-on:');
    expect(workflowProblems('env.yml', deploy).join('\n')).toMatch(/protected branch/);
    const onlyMain = deploy.replace(
      '    environment:',
      "    if: github.ref == 'refs/heads/main'\n    environment:",
    );
    expect(workflowProblems('env.yml', onlyMain)).toEqual([]);
  });

  it('fails a cancelling concurrency group keyed by the pull request alone', () => {
    const byNumber = good.replace(
      'permissions: {}\n',
      'permissions: {}\nconcurrency:\n  group: g-${{ github.event.pull_request.number }}\n  cancel-in-progress: true\n',
    );
    expect(workflowProblems('c.yml', byNumber).join('\n')).toMatch(/event_name and the head SHA/);
    const bySha = byNumber.replace(
      'g-${{ github.event.pull_request.number }}',
      'g-${{ github.event_name }}-${{ github.event.pull_request.head.sha }}',
    );
    expect(workflowProblems('c.yml', bySha)).toEqual([]);
  });

  it('fails pull_request types without edited', () => {
    const typed = good.replace('on: [pull_request]', 'on:\n  pull_request:\n    types: [opened]');
    expect(workflowProblems('t.yml', typed).join('\n')).toMatch(/'edited'/);
    expect(workflowProblems('t.yml', typed.replace('[opened]', '[opened, edited]'))).toEqual([]);
  });

  it('checks composite actions too', () => {
    const action = `
name: x
description: x
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "\${{ inputs.token }}"
    - uses: actions/cache@v5
`;
    const problems = actionProblems('action.yml', action);
    expect(problems).toHaveLength(2);
  });
});

// The soak-clock index cache (docs/performance.md): a run that events of a pull request start
// only restores it (a pull request's own cache scope is writable by code the pull request
// brings), keyed by the base commit; only pushes to main save it, keyed by the pushed commit.
const PULL_REQUEST_EVENTS = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'merge_group',
  'issue_comment',
];

/** Every problem of one workflow's use of actions/cache; empty when it complies. */
export function cacheProblems(file: string, text: string): string[] {
  const doc = asMap(parse(text)) ?? {};
  const on = triggers(doc['on'] ?? doc['true']);
  const fromPullRequests = on.some((t) => PULL_REQUEST_EVENTS.includes(t));
  const problems: string[] = [];
  for (const [id, value] of Object.entries(asMap(doc['jobs']) ?? {})) {
    const job = asMap(value) ?? {};
    const condition = scalar(job['if']);
    const steps = Array.isArray(job['steps']) ? job['steps'] : [];
    for (const step of steps.map((s) => asMap(s) ?? {})) {
      const uses = scalar(step['uses']);
      const key = scalar(asMap(step['with'])?.['key']);
      const where = `${file} job ${id} step '${scalar(step['name'])}'`;
      // actions/cache (the combined action) saves in its post step: it counts as saving.
      const saves = /^actions\/cache(\/save)?@/.test(uses);
      if (saves && fromPullRequests)
        problems.push(`${where}: saves a cache in a workflow pull requests start`);
      const index = key.startsWith('flags-clock-index-');
      if (
        saves &&
        index &&
        !(/github\.event_name == 'push'/.test(condition) && /refs\/heads\/main/.test(condition))
      )
        problems.push(`${where}: saves the index in a job not limited to pushes to main`);
      if (saves && index && !key.includes('github.sha'))
        problems.push(`${where}: the saved index's key must name the pushed commit (github.sha)`);
      if (
        uses.startsWith('actions/cache/restore@') &&
        fromPullRequests &&
        index &&
        !key.includes('github.event.pull_request.base.sha')
      )
        problems.push(`${where}: the restored index's key must name the base commit`);
    }
  }
  return problems;
}

describe('the soak-clock index cache', () => {
  const read = (name: string): string =>
    readFileSync(join(ROOT, '.github/workflows', name), 'utf8');
  const stepsOf = (text: string, job: string): Doc[] =>
    (asMap(asMap(asMap(parse(text))?.['jobs'])?.[job])?.['steps'] as unknown[]).map(
      (s) => asMap(s) ?? {},
    );
  const using = (steps: Doc[], action: string): Doc[] =>
    steps.filter((s) => scalar(s['uses']).startsWith(`${action}@`));

  it.each(workflows.map((f) => [relative(ROOT, f), f]))('%s keeps its policy', (name, file) => {
    expect(cacheProblems(name, readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('is restored by the gate, keyed by the base commit, into the folder the gate reads', () => {
    const steps = stepsOf(read('flags-gate.yml'), 'gate');
    const [restore] = using(steps, 'actions/cache/restore');
    const restored = asMap(restore?.['with']) ?? {};
    expect(scalar(restored['key'])).toMatch(
      /^flags-clock-index-v1-\$\{\{ github\.event\.pull_request\.base\.sha \|\| github\.event\.merge_group\.base_sha \}\}$/,
    );
    expect(restored['restore-keys']).toBe('flags-clock-index-v1-');
    const judge = steps.find((s) => s['id'] === 'gate');
    expect(asMap(judge?.['env'])?.['FLAGS_CLOCK_INDEX_DIR']).toBe(restored['path']);
    expect(steps.indexOf(restore!)).toBeLessThan(steps.indexOf(judge!));
  });

  it('is saved after a push to main, from the folder the gate restores', () => {
    const gatePath = asMap(
      using(stepsOf(read('flags-gate.yml'), 'gate'), 'actions/cache/restore')[0]?.['with'],
    )?.['path'];
    const steps = stepsOf(read('flags-deploy.yml'), 'clock-index');
    const [save] = using(steps, 'actions/cache/save');
    expect(asMap(save?.['with'])?.['key']).toBe('flags-clock-index-v1-${{ github.sha }}');
    expect(asMap(save?.['with'])?.['path']).toBe(gatePath);
    const build = steps.find((s) => scalar(s['run']).includes('status'));
    expect(asMap(build?.['env'])?.['FLAGS_CLOCK_INDEX_DIR']).toBe(gatePath);
  });

  it('fails a pull request run that saves, a save not limited to main, and a key without its commit', () => {
    const workflow = (on: string, condition: string, action: string, key: string): string => `
on: ${on}
permissions: {}
jobs:
  j:
    if: ${condition}
    runs-on: ubuntu-latest
    steps:
      - name: s
        uses: ${action}@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5
        with:
          path: x
          key: ${key}
`;
    const main = `github.event_name == 'push' && github.ref == 'refs/heads/main'`;
    const ok = workflow(
      '[push]',
      main,
      'actions/cache/save',
      'flags-clock-index-v1-${{ github.sha }}',
    );
    expect(cacheProblems('ok.yml', ok)).toEqual([]);
    expect(
      cacheProblems('pr.yml', ok.replace('[push]', '[push, pull_request]')).join('\n'),
    ).toMatch(/workflow pull requests start/);
    expect(cacheProblems('mq.yml', ok.replace('[push]', '[merge_group]')).join('\n')).toMatch(
      /workflow pull requests start/,
    );
    expect(cacheProblems('any.yml', ok.replace(main, 'always()')).join('\n')).toMatch(
      /not limited to pushes to main/,
    );
    expect(
      cacheProblems('combined.yml', ok.replace('actions/cache/save', 'actions/cache')).join('\n'),
    ).toBe('');
    expect(
      cacheProblems(
        'combined-pr.yml',
        ok.replace('actions/cache/save', 'actions/cache').replace('[push]', '[pull_request]'),
      ).join('\n'),
    ).toMatch(/workflow pull requests start/);
    expect(
      cacheProblems('key.yml', ok.replace('${{ github.sha }}', '${{ github.run_id }}')).join('\n'),
    ).toMatch(/name the pushed commit/);
    const restore = workflow(
      '[pull_request]',
      'true',
      'actions/cache/restore',
      'flags-clock-index-v1-${{ github.event.pull_request.base.sha }}',
    );
    expect(cacheProblems('restore.yml', restore)).toEqual([]);
    expect(
      cacheProblems(
        'head.yml',
        restore.replace('pull_request.base.sha', 'pull_request.head.sha'),
      ).join('\n'),
    ).toMatch(/name the base commit/);
  });
});

describe("the deploy's flagd artifact", () => {
  const file = join(ROOT, '.github/workflows/flags-deploy.yml');
  const deploy = readFileSync(file, 'utf8');
  const upload = 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0';

  it('exports the deployed commit after a real deploy that succeeded, and uploads that file', () => {
    expect(flagdArtifactProblems(deploy)).toEqual([]);
    expect(workflowProblems('flags-deploy.yml', deploy)).toEqual([]);
  });

  it('fails a step that runs after a failure or on a dry run, or an export with ${{ }}', () => {
    const guard = 'if: success() && !inputs.dry-run';
    for (const bad of [
      deploy.replace(guard, 'if: always() && !inputs.dry-run'),
      deploy.replace(guard, 'if: success()'),
      // The upload's guard alone (the last one) loosened.
      deploy.slice(0, deploy.lastIndexOf(guard)) +
        'if: success()' +
        deploy.slice(deploy.lastIndexOf(guard) + guard.length),
      deploy.replace(guard, 'if: success() || !inputs.dry-run'),
      deploy.replace('"$RUNNER_TEMP/flagd/', '"${{ runner.temp }}/flagd/'),
      deploy.replace('flags.flagd.json"', 'flags.flagd.json" --ref "$GITHUB_SHA"'),
      deploy.replace('if-no-files-found: error', 'if-no-files-found: warn'),
      deploy.replace('flags-flagd-${{ github.sha }}', 'flags-flagd'),
    ]) {
      expect(bad).not.toBe(deploy);
      expect(flagdArtifactProblems(bad)).not.toEqual([]);
    }
  });

  it('allows upload-artifact only at the commit read from its repository', () => {
    expect(Object.keys(ALLOWED_PINS)).not.toContain('actions/upload-artifact');
    const other = deploy.replace('bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', 'b'.repeat(40));
    expect(workflowProblems('other.yml', other).join('\n')).toMatch(/not an allowed pin/);
    const byTag = deploy.replace(upload, 'actions/upload-artifact@v7');
    expect(workflowProblems('tag.yml', byTag).join('\n')).toMatch(/not pinned to a full commit/);
    const wrongComment = deploy.replace(upload, upload.replace('# v7.0.0', '# v7.0.1'));
    expect(workflowProblems('comment.yml', wrongComment).join('\n')).toMatch(/# v7.0.0/);
  });
});
