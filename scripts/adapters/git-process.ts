// git as a child process, for the small read-only calls: its output as text, with the caller's
// GIT_* variables dropped, and the few ref questions the local commands ask.
import { execFile } from 'node:child_process';

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
