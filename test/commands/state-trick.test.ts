// Issue 13, item 1, end to end: a flow-mapping flag whose quoted multi-line description holds a
// line `state: ga` must not fool the history reader into starting the soak clock at creation.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

const NOW = '2026-11-24T12:00:00Z';

const trick = (state: string): string =>
  `{key: trick, description: "Trick flag\nstate: ga\nend", owner: "@novalien/video", state: ${state}, revertible: true}\n`;

describe('a `state: ga` line inside a quoted description', () => {
  it('leaves the soak clock at beta: check blocks ga an hour after beta, status says beta', async () => {
    const repo = gitRepo();
    repo.write('flags/video/trick.yaml', trick('alpha')).commit('2026-10-01T00:00:00Z');
    repo.write('flags/video/trick.yaml', trick('beta')).commit('2026-11-24T11:00:00Z');
    const base = repo.head();

    const status = await repo.cli(['status', '--now', NOW, '--json']);
    expect(status.json.flags).toEqual([
      expect.objectContaining({ key: 'trick', state: 'beta', since: '2026-11-24T11:00:00Z' }),
    ]);

    repo.write('flags/video/trick.yaml', trick('ga')).commit('2026-11-24T11:30:00Z');
    const check = await repo.cli(['check', '--base', base, '--now', NOW, '--json']);
    expect(check.status).toBe(1);
    expect(check.json.changes[0]).toMatchObject({
      flag: 'trick',
      from: 'beta',
      to: 'ga',
      since: '2026-11-24T11:00:00Z',
    });
    expect(check.json.violations.map((v: { rule: string }) => v.rule)).toContain('soak');
  });
});
