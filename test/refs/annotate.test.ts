import { afterEach, describe, expect, it } from 'vitest';
import type { Annotation } from '../../scripts/adapters/actions.ts';
import { capAnnotations, type RefsFinding } from '../../scripts/core/refs/annotations.ts';
import { main } from '../../scripts/github/refs-annotate.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

const finding = (level: RefsFinding['level'], line: number): RefsFinding => ({
  level,
  title: level,
  file: 'a.ts',
  line,
  message: 'm',
});

describe('annotation limits', () => {
  it('shows 10 errors and 10 warnings, then one notice with the count left out', () => {
    const findings = [
      ...Array.from({ length: 25 }, (_, i) => finding('error', i + 1)),
      ...Array.from({ length: 12 }, (_, i) => finding('warning', i + 100)),
    ];
    const { shown, notice } = capAnnotations(findings);
    expect(shown.filter((f) => f.level === 'error')).toHaveLength(10);
    expect(shown.filter((f) => f.level === 'warning')).toHaveLength(10);
    expect(shown[0]?.line).toBe(1);
    expect(notice).toMatch(/^15 more errors and 2 more warnings not annotated/);
    expect(capAnnotations(findings.slice(0, 10)).notice).toBeNull();
  });
});

describe('the flag-refs action', () => {
  function setup() {
    const flags = gitRepo();
    flags
      .flag('video', { key: 'dead-ga', state: 'ga' })
      .flag('video', { key: 'live-view', state: 'alpha' })
      .flag('video', { key: 'gone', state: 'ga' })
      .write(
        '.github/flag-refs.yaml',
        [
          'sources:',
          '  - name: app',
          '    path: ../app',
          '    repository: novalien/app',
          `    pattern: "useFlag\\\\([\\"']([a-z0-9-]+)[\\"']\\\\)"`,
        ].join('\n'),
      );
    flags.commit('2026-11-01T10:00:00Z', 'flags');
    flags.remove('flags/video/gone.yaml');
    flags.commit('2026-11-10T10:00:00Z', 'remove gone');
    const app = gitRepo();
    app.write('old.ts', 'if (flags.deadGa) {}\n');
    const base = app.commit('2026-11-20T10:00:00Z', 'base');
    app.write(
      'src/new.ts',
      [
        "useFlag('gone');",
        "useFlag('nope');",
        'if (flags.deadGa) {}',
        'if (flags.liveView) {}',
      ].join('\n') + '\n',
    );
    app.commit('2026-11-21T10:00:00Z', 'change');
    return { flags, app, base };
  }

  async function run(env: Record<string, string>) {
    const annotations: Annotation[] = [];
    const log: string[] = [];
    const status = await main(env, '/nonexistent', {
      now: new Date('2026-11-27T12:00:00Z'),
      emit: (a) => {
        annotations.push(...a);
        return Promise.resolve();
      },
      log: (line) => log.push(line),
    });
    return { status, annotations, log };
  }

  it("annotates the pull request's reads of unknown and archived flags as errors, dead ga flags as warnings", async () => {
    const { flags, app, base } = setup();
    const env = {
      FLAGS_REPO_DIR: flags.dir,
      SOURCE_DIR: app.dir,
      CHANGED_FROM: base,
      GITHUB_REPOSITORY: 'novalien/app',
    };
    const { status, annotations } = await run(env);
    expect(status).toBe(1);
    expect(annotations.map((a) => [a.level, a.title, a.file, a.line])).toEqual([
      ['error', 'archived flag', 'src/new.ts', 1],
      ['error', 'unknown flag', 'src/new.ts', 2],
      ['warning', 'dead flag', 'src/new.ts', 3],
    ]);
    expect(annotations[1]?.message).toContain('`nope`');
    expect(annotations[2]?.message).toContain('at ga since 2026-11-01');

    // Every file when no base is given (old.ts too); a green step when asked.
    const all = await run({ ...env, CHANGED_FROM: '', FAIL_ON_ERROR: 'false' });
    expect(all.status).toBe(0);
    expect(all.annotations.map((a) => `${a.file}:${a.line}`)).toContain('old.ts:1');
  });

  it('exits 2 without the flags checkout', async () => {
    const { status, log } = await run({});
    expect(status).toBe(2);
    expect(log[0]).toMatch(/FLAGS_REPO_DIR/);
  });
});
