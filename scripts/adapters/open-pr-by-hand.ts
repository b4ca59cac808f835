// What `--open-pr` leaves to the person when it cannot finish (no remote, no token, a refused
// push): the pull request body saved under .git, the `gh pr create` command, the compare URL.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { SimpleGit } from 'simple-git';

/** How to open the pull request by hand: the body saved under .git, the gh command, the URL. */
export async function handSteps(
  ctx: { cwd: string; env: Record<string, string | undefined> },
  git: SimpleGit,
  result: { base: string; branch: string; labels: string[]; reviewers: string[] },
  pull: { title: string; body: string; remote: string },
): Promise<string[]> {
  const { title, body, remote } = pull;
  // One file per branch: two changes in a row must not share (and overwrite) one body.
  const name = `flags-pr/${result.branch.replace(/[^A-Za-z0-9._-]+/g, '-')}.md`;
  let bodyFile = `.git/${name}`;
  try {
    bodyFile = (await git.raw(['rev-parse', '--git-path', name])).trim();
    const abs = isAbsolute(bodyFile) ? bodyFile : join(ctx.cwd, bodyFile);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, body);
  } catch {
    // Without the saved body, the gh command still opens the pull request.
  }
  const gh = [
    'gh pr create',
    `--base ${result.base}`,
    `--head ${result.branch}`,
    `--title ${shellQuote(title)}`,
    `--body-file ${shellQuote(bodyFile)}`,
    ...result.labels.map((l) => `--label ${shellQuote(l)}`),
    ...result.reviewers.map((r) => `--reviewer ${shellQuote(r.replace(/^@/, ''))}`),
  ].join(' ');
  const steps = [gh];
  const web = await compareUrl(ctx.env, git, remote, result.base, result.branch);
  if (web) steps.push(`(or open ${web} and paste the body from ${bodyFile})`);
  return steps;
}

async function compareUrl(
  env: Record<string, string | undefined>,
  git: SimpleGit,
  remote: string,
  base: string,
  branch: string,
): Promise<string | null> {
  let repo = env['GITHUB_REPOSITORY'] ?? null;
  let server = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  if (!repo) {
    try {
      const url = (await git.raw(['remote', 'get-url', remote])).trim();
      const m =
        /^(?:https:\/\/(?:[^@/]+@)?|ssh:\/\/git@|git@)([^/:]+)[/:]([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(
          url,
        );
      if (m) {
        server = `https://${m[1]}`;
        repo = m[2]!;
      }
    } catch {
      return null;
    }
  }
  return repo ? `${server.replace(/\/+$/, '')}/${repo}/compare/${base}...${branch}?expand=1` : null;
}

/** A word for a POSIX shell: as it is when safe, else single-quoted. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
