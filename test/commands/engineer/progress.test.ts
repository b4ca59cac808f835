import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSpinner, withSpinner } from '../../../scripts/adapters/progress.ts';
import { runCli } from '../../../scripts/cli.ts';
import { cleanupRepos } from '../../helpers/git-repo.ts';
import { repoWithLiveView } from './fixtures.ts';

afterEach(() => {
  vi.useRealTimers();
  cleanupRepos();
});

describe('spinner', () => {
  it('draws on a terminal once the work has run a moment, and clears its line', () => {
    vi.useFakeTimers();
    let err = '';
    const spinner = startSpinner({ stderr: (t) => (err += t), isTTY: true }, 'reading history', {
      delayMs: 300,
      intervalMs: 80,
    });
    vi.advanceTimersByTime(200);
    expect(err).toBe('');
    vi.advanceTimersByTime(200);
    expect(err).toContain('⠋ reading history…');
    vi.advanceTimersByTime(80);
    expect(err).toContain('⠙ reading history…');
    spinner.stop();
    expect(err.endsWith('\r\u001b[2K')).toBe(true);
    const drawn = err.length;
    vi.advanceTimersByTime(1000);
    expect(err.length).toBe(drawn);
  });

  it('draws nothing when stderr is not a terminal, and passes results and errors through', async () => {
    let err = '';
    const out = { stderr: (t: string) => (err += t), isTTY: false };
    await expect(withSpinner(out, 'x', () => Promise.resolve(42), { delayMs: 0 })).resolves.toBe(
      42,
    );
    await expect(
      withSpinner(out, 'x', () => Promise.reject(new Error('boom')), { delayMs: 0 }),
    ).rejects.toThrow('boom');
    expect(err).toBe('');
  });
});

describe('output for people', () => {
  const run = async (cwd: string, env: Record<string, string>, isTTY: boolean) => {
    let stdout = '';
    const status = await runCli(['promote', 'live-view', '--now', '2026-11-24T12:00:00Z'], {
      cwd,
      env,
      clock: () => new Date('2026-11-24T12:00:00Z'),
      stdout: (t) => (stdout += t),
      stderr: () => {},
      isTTY,
    });
    return { status, stdout };
  };

  it('has colour on a terminal only, and none with NO_COLOR', async () => {
    const tty = await run(repoWithLiveView('alpha', '2026-11-24T10:00:00Z').dir, {}, true);
    expect(tty.status).toBe(1);
    expect(tty.stdout).toContain('\u001b[31m✗\u001b[39m');
    const noColor = await run(
      repoWithLiveView('alpha', '2026-11-24T10:00:00Z').dir,
      { NO_COLOR: '1' },
      true,
    );
    expect(noColor.stdout).not.toContain('\u001b[');
    const pipe = await run(repoWithLiveView('alpha', '2026-11-24T10:00:00Z').dir, {}, false);
    expect(pipe.stdout).not.toContain('\u001b[');
    expect(pipe.stdout).toContain('allowed from 2026-11-25 10:00 UTC (in 22 h)');
  });
});
