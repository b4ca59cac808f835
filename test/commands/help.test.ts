// Help is each command's own; `flags help X` works; names that are looked up get a "did you mean".
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS, SUMMARIES } from '../../scripts/cli.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('help and did-you-mean', () => {
  it("plan --help is plan's own: no --dry-run, no deploy text", async () => {
    const repo = gitRepo();
    const plan = await repo.cli(['plan', '--help']);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/^Usage: npx flags plan /);
    expect(plan.stdout).not.toContain('--dry-run');
    expect(plan.stdout).not.toContain('Deploys the flags');
    const rejected = await repo.cli(['plan', '--dry-run']);
    expect(rejected.status).toBe(2);
  });

  it('flags help X prints the help of X', async () => {
    const repo = gitRepo();
    const out = await repo.cli(['help', 'promote']);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^Usage: npx flags promote <key>/);
    expect(out.stdout).toBe((await repo.cli(['promote', '--help'])).stdout);
    const unknown = await repo.cli(['help', 'promte']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("did you mean 'promote'?");
  });

  it('suggests the nearest command and option, and commands a person can type', async () => {
    const repo = gitRepo();
    const command = await repo.cli(['stauts']);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain("unknown command 'stauts'; did you mean 'status'?");
    expect(command.stderr).toContain("run 'npx flags --help'");
    const option = await repo.cli(['promote', 'x', '--opne-pr']);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain('did you mean --open-pr?');
    expect(option.stderr).toContain("run 'npx flags promote --help'");
    const json = await repo.cli(['stauts', '--json']);
    expect(json.json).toMatchObject({ ok: false, error: { code: 'usage' } });
  });

  it('suggests the nearest flag key where a key is looked up', async () => {
    const repo = gitRepo().flag('video', { key: 'live-view' });
    repo.commit('2026-11-01T00:00:00Z');
    const promote = await repo.cli(['promote', 'live-veiw']);
    expect(promote.stderr).toContain('did you mean `live-view`?');
    const status = await repo.cli(['status', 'live-veiw']);
    expect(status.stderr).toContain("did you mean 'live-view'?");
  });

  it('lists every command with its own summary, without loading the command modules', async () => {
    const repo = gitRepo();
    const out = await repo.cli(['--help']);
    for (const [name, load] of Object.entries(COMMANDS)) {
      const { command } = await load();
      // SUMMARIES is what --help prints; it must say what each command says of itself.
      expect(SUMMARIES[name] ?? command.summary).toBe(command.summary);
      expect(out.stdout).toContain(`  ${name.padEnd(11)} ${command.summary}`);
    }
  });
});
