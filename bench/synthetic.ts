// Synthetic flag repositories for the benchmarks: per-team folders (or one flat folder),
// realistic dependencies, and a first-parent history written with git fast-import.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEAMS = [
  'video',
  'platform',
  'analytics',
  'access',
  'mobile',
  'billing',
  'edge',
  'storage',
  'search',
  'alerts',
];

export interface SyntheticFlag {
  key: string;
  team: string;
  path: string;
  depends: string[];
}

export function syntheticFlags(count: number, layout: 'teams' | 'flat'): SyntheticFlag[] {
  const flags: SyntheticFlag[] = [];
  for (let i = 0; i < count; i++) {
    const team = TEAMS[i % TEAMS.length]!;
    const key = `${team}-feature-${i}`;
    // About a third depend on one or two earlier flags (a DAG: no cycles).
    const depends =
      i > 10 && i % 3 === 0
        ? [flags[i - 7]!.key, ...(i % 6 === 0 ? [flags[i - 11]!.key] : [])]
        : [];
    const path = layout === 'teams' ? `flags/${team}/${key}.yaml` : `flags/${key}.yaml`;
    flags.push({ key, team, path, depends });
  }
  return flags;
}

export function flagText(
  f: SyntheticFlag,
  state = 'alpha',
  description = `Synthetic feature ${f.key}.`,
  orgs: readonly string[] = [],
): string {
  const orgLines = orgs.flatMap((o) => [
    `  - org: ${o}`,
    ...(o.startsWith('novalien') ? [] : ['    preview_agreement: PA-2026-001']),
  ]);
  return [
    '# yaml-language-server: $schema=../../schema/flag.schema.json',
    `key: ${f.key}`,
    `description: ${description}`,
    `owner: "@novalien/${f.team}"`,
    `state: ${state}`,
    'revertible: true',
    ...(f.depends.length ? ['depends_on:', ...f.depends.map((d) => `  - ${d}`)] : []),
    ...(orgLines.length ? ['alpha_orgs:', ...orgLines] : []),
    '',
  ].join('\n');
}

export interface ImportCommit {
  message: string;
  /** Committer time, Unix seconds. */
  time: number;
  files: readonly (readonly [string, string])[];
}

/** Writes a first-parent history on `main` with git fast-import (thousands of commits a second). */
export function fastImport(dir: string, commits: readonly ImportCommit[]): void {
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const chunks: string[] = [];
  for (const c of commits) {
    chunks.push(
      `commit refs/heads/main\ncommitter Bench <bench@example.com> ${c.time} +0000\n${data(c.message)}`,
    );
    for (const [path, text] of c.files) chunks.push(`M 100644 inline ${path}\n${data(text)}`);
    chunks.push('\n');
  }
  const result = spawnSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    input: chunks.join(''),
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`fast-import failed: ${result.stderr.toString()}`);
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir });
}

/**
 * CODEOWNERS for the flags: per team folder (teams layout) or one line per flag (flat). `size`
 * forces a shape with the same owners for every flag: 'short' is 41 lines (a default, the team
 * folders, and folders no flag is in), 'long' 10,001 lines for 10,000 flags (a default and one
 * line per flag), so the two can be timed against each other.
 */
export function codeownersText(
  layout: 'teams' | 'flat',
  flags: readonly SyntheticFlag[],
  size?: 'short' | 'long',
): string {
  const perFlag = flags.map((f) => `/${f.path} @novalien/${f.team}`);
  if (size === 'long') return ['* @novalien/platform', ...perFlag].join('\n') + '\n';
  if (size === 'short') {
    const lines = ['* @novalien/platform', ...TEAMS.map((t) => `/flags/${t}/ @novalien/${t}`)];
    for (let i = 0; lines.length < 41; i++) lines.push(`/docs/area-${i}/ @novalien/platform`);
    return lines.join('\n') + '\n';
  }
  if (layout === 'teams') return TEAMS.map((t) => `/flags/${t}/ @novalien/${t}`).join('\n') + '\n';
  return perFlag.join('\n') + '\n';
}

/** A working tree with `count` flags (no git), for validate. */
export function writeTree(count: number, layout: 'teams' | 'flat' = 'teams'): string {
  const dir = mkdtempSync(join(tmpdir(), 'flags-bench-'));
  const flags = syntheticFlags(count, layout);
  for (const f of flags) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), flagText(f));
  }
  writeFileSync(join(dir, 'CODEOWNERS'), codeownersText(layout, flags));
  return dir;
}

/**
 * A git repository: all flags created at alpha, then `edits` first-parent commits each editing
 * one flag (descriptions, and promotions to beta for every fifth), an hour apart; returns the
 * repo, the base commit and a head commit that promotes five flags.
 */
export function writeHistory(
  count: number,
  edits: number,
  layout: 'teams' | 'flat',
  codeowners?: 'short' | 'long',
): { dir: string; base: string; head: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flags-bench-git-'));
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const flags = syntheticFlags(count, layout);
  const states = new Map(flags.map((f) => [f.key, 'alpha']));
  let time = Date.parse('2025-01-01T00:00:00Z') / 1000;
  const commits: ImportCommit[] = [
    {
      message: 'add flags',
      time,
      files: [
        ...flags.map((f) => [f.path, flagText(f)] as const),
        ['CODEOWNERS', codeownersText(layout, flags, codeowners)],
      ],
    },
  ];
  for (let i = 0; i < edits; i++) {
    const f = flags[(i * 7919) % count]!;
    // Promote only flags without dependencies, so the tree stays valid.
    if (i % 5 === 0 && f.depends.length === 0 && states.get(f.key) === 'alpha')
      states.set(f.key, 'beta');
    time += 3600;
    commits.push({
      message: `edit ${f.key}`,
      time,
      files: [
        [f.path, flagText(f, states.get(f.key), `Synthetic feature ${f.key}, revision ${i}.`)],
      ],
    });
  }
  time += 3600;
  fastImport(dir, commits);
  const base = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  // The change: five alpha flags without dependencies promoted to beta.
  const promoted = flags
    .filter((f) => f.depends.length === 0 && states.get(f.key) === 'alpha')
    .slice(0, 5);
  for (const f of promoted) writeFileSync(join(dir, f.path), flagText(f, 'beta'));
  execFileSync(
    'git',
    [
      '-c',
      'user.name=Bench',
      '-c',
      'user.email=bench@example.com',
      'commit',
      '-q',
      '-am',
      'promote five',
    ],
    {
      cwd: dir,
      env: { ...process.env, GIT_COMMITTER_DATE: new Date(time * 1000).toISOString() },
    },
  );
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  return { dir, base, head };
}
