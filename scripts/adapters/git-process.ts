// git as a child process: the one door every read of the repository goes through (a small call's
// output as text, a streaming process, a synchronous read), each with the caller's GIT_* variables
// dropped, so that the repository is the one `cwd` names for every call of a run; and the few ref
// questions the local commands ask.
import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcess,
  type ChildProcessByStdio,
} from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * The caller's environment without its GIT_* variables (as simple-git ran these calls): a GIT_DIR
 * or GIT_INDEX_FILE set by a hook cannot point the reads at another repository.
 */
export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.toUpperCase().startsWith('GIT_')) env[name] = value;
  return env;
}

/** git as a streaming process, its stdout (and stdin when asked for) a pipe. */
export function spawnGit(
  cwd: string,
  args: readonly string[],
  stdin: 'pipe',
): ChildProcessByStdio<Writable, Readable, Readable>;
export function spawnGit(
  cwd: string,
  args: readonly string[],
): ChildProcessByStdio<null, Readable, Readable>;
export function spawnGit(
  cwd: string,
  args: readonly string[],
  stdin: 'pipe' | 'ignore' = 'ignore',
): ChildProcessByStdio<Writable | null, Readable, Readable> {
  const env = gitEnv();
  return stdin === 'pipe'
    ? spawn('git', args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** git writing its output to the open file `fd` (a long output: git never waits on a pipe). */
export function spawnGitToFile(cwd: string, args: readonly string[], fd: number): ChildProcess {
  return spawn('git', args, { cwd, env: gitEnv(), stdio: ['ignore', fd, 'pipe'] });
}

/** git's output as bytes, synchronously, with `input` on its stdin; throws as execFileSync does. */
export function gitSync(cwd: string, args: readonly string[], input: string): Buffer {
  return execFileSync('git', args, {
    cwd,
    env: gitEnv(),
    input,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * git's exit status with its output, for calls whose status is an answer (1: not an ancestor, no
 * match); rejects only when git cannot be started.
 */
export function gitStatus(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(cwd, args);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** git's output, or a rejection whose message starts with git's own error line. */
export function gitOutput(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 1 << 30 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail = stderr.trim() || error.message;
        reject(new Error(detail, { cause: error }));
      },
    );
  });
}

/**
 * The object each revision names (`git rev-parse --verify` of each, as one `git cat-file
 * --batch-check` process), or null where it names none.
 */
export function resolveNames(cwd: string, names: readonly string[]): Promise<(string | null)[]> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      ['cat-file', '--batch-check=%(objectname)'],
      { cwd: cwd, env: gitEnv(), encoding: 'utf8' },
      (error, stdout) => {
        if (error) return resolve(names.map(() => null));
        const lines = stdout.split('\n');
        resolve(names.map((_, i) => (/^[0-9a-f]{40,64}$/.test(lines[i] ?? '') ? lines[i]! : null)));
      },
    );
    child.stdin?.on('error', () => {}); // a git that died early answers null above
    child.stdin?.end(names.map((n) => `${n}\n`).join(''));
  });
}

/** The best common ancestor of two commits, or null when they have none. */
export async function mergeBase(cwd: string, a: string, b: string): Promise<string | null> {
  try {
    return (await gitOutput(cwd, ['merge-base', a, b])).trim() || null;
  } catch {
    return null;
  }
}

/** The short name a symbolic ref points at (`origin/HEAD` to `origin/main`), or null. */
export async function abbrevRef(cwd: string, ref: string): Promise<string | null> {
  try {
    return (await gitOutput(cwd, ['rev-parse', '--abbrev-ref', ref])).trim() || null;
  } catch {
    return null;
  }
}
