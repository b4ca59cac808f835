import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import { runCli } from '../../scripts/cli.ts';

afterEach(cleanupRepos);

async function validate(repo: TestRepo) {
  const out = await repo.cli(['validate', '--json']);
  return {
    ...out,
    rules: (out.json?.violations ?? []).map((v: { rule: string }) => v.rule) as string[],
  };
}

describe('flags validate', () => {
  it('passes the flags shipped in this repository', async () => {
    let stdout = '';
    const status = await runCli(['validate', '--json'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: {},
      clock: () => new Date('2026-11-24T12:00:00Z'),
      stdout: (t) => (stdout += t),
      stderr: () => {},
      isTTY: false,
    });
    const result = JSON.parse(stdout);
    expect(result.violations).toEqual([]);
    expect(status).toBe(0);
    expect(result.flags).toBeGreaterThanOrEqual(5);
  });

  it('reports every violation with rule, severity, flag, file, line and message, and exits 1', async () => {
    const repo = gitRepo().flag('video', { key: 'a', depends_on: ['nope'] });
    const out = await validate(repo);
    expect(out.status).toBe(1);
    expect(out.json).toMatchObject({ ok: false, flags: 1 });
    expect(out.json.violations).toEqual([
      {
        rule: 'dependency-missing',
        severity: 'error',
        flag: 'a',
        file: 'flags/video/a.yaml',
        line: 7,
        message: expect.stringContaining('`nope`'),
      },
    ]);
  });

  it('refuses files that are not <key>.yaml, never skipping them', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'ok' })
      .write('flags/video/other.yml', 'key: other\n')
      .write('flags/video/third.json', '{}')
      .write('flags/video/Bad_Name.yaml', 'key: x\n')
      .write('flags/video/big.yaml', `description: "${'x'.repeat(70_000)}"\n`)
      .write('flags/video/latin.yaml', Buffer.from([0x6b, 0x65, 0x79, 0x3a, 0x20, 0xe9, 0x0a]));
    symlinkSync(join(repo.dir, 'flags/video/ok.yaml'), join(repo.dir, 'flags/video/link.yaml'));
    const out = await validate(repo);
    const files = out.json.violations
      .filter((v: { rule: string }) => v.rule === 'file')
      .map((v: { file: string }) => v.file)
      .sort();
    expect(files).toEqual([
      'flags/video/Bad_Name.yaml',
      'flags/video/big.yaml',
      'flags/video/latin.yaml',
      'flags/video/link.yaml',
      'flags/video/other.yml',
      'flags/video/third.json',
    ]);
    expect(
      out.json.violations.find((v: { file: string }) => v.file.endsWith('other.yml')).message,
    ).toContain('rename it to other.yaml');
    expect(out.status).toBe(1);
  });

  it('finds duplicate keys across folders', async () => {
    const repo = gitRepo().flag('video', { key: 'same' }).flag('platform', { key: 'same' });
    const out = await validate(repo);
    expect(out.rules.filter((r) => r === 'duplicate-key')).toHaveLength(2);
  });

  it('names a dependency cycle', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'a', depends_on: ['b'] })
      .flag('video', { key: 'b', depends_on: ['c'] })
      .flag('video', { key: 'c', depends_on: ['a'] })
      .flag('video', { key: 'd', depends_on: ['d'] });
    const out = await validate(repo);
    const cycles = out.json.violations
      .filter((v: { rule: string }) => v.rule === 'dependency-cycle')
      .map((v: { message: string }) => v.message);
    expect(cycles).toHaveLength(2);
    expect(cycles.join('\n')).toContain('a -> b -> c -> a');
    expect(cycles.join('\n')).toContain('d -> d');
  });

  it('finds a flag standing above its dependency', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'base' })
      .flag('video', { key: 'top', state: 'beta', depends_on: ['base'] });
    const out = await validate(repo);
    expect(out.json.violations).toEqual([
      expect.objectContaining({ rule: 'dependency-order', flag: 'top', line: 4 }),
    ]);
  });

  it('requires ga flags to be revertible with idempotent migrations', async () => {
    const repo = gitRepo()
      .flag('video', { key: 'stuck', state: 'ga', revertible: false })
      .flag('video', {
        key: 'oneway',
        state: 'ga',
        migration: { description: 'm', idempotent_forward: true, idempotent_backward: false },
      })
      .flag('video', { key: 'early', state: 'alpha', revertible: false });
    const out = await validate(repo);
    const flagged = out.json.violations
      .filter((v: { rule: string }) => v.rule === 'revertible')
      .map((v: { flag: string }) => v.flag)
      .sort();
    expect(flagged).toEqual(['oneway', 'stuck']);
  });

  it('requires a preview agreement for customer alpha orgs', async () => {
    const repo = gitRepo().flag('video', {
      key: 'a',
      alpha_orgs: [
        { org: 'novalien-internal' },
        { org: 'acme', preview_agreement: 'PA-1' },
        { org: 'globex' },
      ],
    });
    const out = await validate(repo);
    expect(out.json.violations).toEqual([
      expect.objectContaining({ rule: 'alpha-org', message: expect.stringContaining('`globex`') }),
    ]);
  });

  it('checks CODEOWNERS with the last matching rule', async () => {
    const repo = gitRepo({
      codeowners: '/flags/video/ @novalien/video\n/flags/ @novalien/release\n',
    }).flag('video', { key: 'a' });
    const out = await validate(repo);
    expect(out.json.violations).toEqual([
      expect.objectContaining({
        rule: 'codeowners',
        message: expect.stringContaining('@novalien/release'),
      }),
    ]);
    repo.write('CODEOWNERS', '/flags/ @novalien/release\n/flags/video/ @novalien/video\n');
    expect((await validate(repo)).status).toBe(0);
  });

  it('reports an incomplete override as override-invalid', async () => {
    const repo = gitRepo().flag('video', {
      key: 'a',
      override: { incident: 'http://x', reason: 'r' },
    });
    const out = await validate(repo);
    expect(out.rules.sort()).toEqual(['override-invalid', 'override-invalid']);
  });

  it('prints file:line first for people, grouped by file', async () => {
    const repo = gitRepo().write('flags/video/a.yaml', 'key: a\nstate: gamma\n');
    const out = await repo.cli(['validate']);
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(
      /^flags\/video\/a\.yaml\n {2}flags\/video\/a\.yaml:1 +error +schema +missing required field `description`/m,
    );
    expect(out.stdout).toMatch(
      /^ {2}flags\/video\/a\.yaml:2 +error +schema +`state` must be one of/m,
    );
  });

  it('exits 2 with one line when there is no flags folder, and on a bad option', async () => {
    const repo = gitRepo();
    repo.git('rm', '-q', '--cached', '-r', '--ignore-unmatch', '.');
    const { rmSync } = await import('node:fs');
    rmSync(join(repo.dir, 'flags'), { recursive: true });
    const missing = await repo.cli(['validate']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await repo.cli(['validate', '--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--bogus');
  });
});

describe('the repository a command works on', () => {
  it('is the nearest folder with flags/ or .git above where the command was typed', async () => {
    const { repositoryRoot } = await import('../../scripts/cli.ts');
    const repo = gitRepo().flag('video', { key: 'a' });
    expect(repositoryRoot(join(repo.dir, 'flags', 'video'))).toBe(repo.dir);
    expect(repositoryRoot(repo.dir)).toBe(repo.dir);
  });
});
