// The gate's sticky comment on a pull request: one per pull request, found by its marker.
import type { GitHubClient } from './client.ts';
import { deniedWrite, hiddenMarker, type StickyCommentResult } from './types.ts';

/**
 * Keeps one comment per pull request: found by its hidden marker across every page, edited in
 * place. A token that may not comment (a fork's read-only token: 403, or 404) gives `forbidden`.
 * With `create: false` only an existing comment is updated.
 */
export async function upsertStickyComment(
  gh: GitHubClient,
  pr: number,
  marker: string,
  body: string,
  options: {
    create?: boolean;
    /** The login the token comments as; default `github-actions[bot]` (GITHUB_TOKEN). */
    botLogin?: string;
  } = {},
): Promise<StickyCommentResult> {
  const tag = hiddenMarker(marker);
  const text = body.includes(tag) ? body : `${tag}\n${body}`;
  try {
    const comments = await gh.call(`list comments of #${pr}`, () =>
      gh.octokit.paginate(gh.octokit.rest.issues.listComments, {
        ...gh.where,
        issue_number: pr,
        per_page: 100,
      }),
    );
    // The bot's own comment, by its login and the marker: a person quoting the marker (or
    // another bot) is never edited; without one, a new comment is made.
    const login = (options.botLogin ?? 'github-actions[bot]').toLowerCase();
    const existing = comments.find(
      (c) =>
        (c.body ?? '').includes(tag) &&
        c.user?.type === 'Bot' &&
        c.user.login.toLowerCase() === login,
    );
    if (existing) {
      if (existing.body === text) {
        return { result: 'unchanged', id: existing.id, url: existing.html_url };
      }
      const { data } = await gh.call(`update comment ${existing.id}`, () =>
        gh.octokit.rest.issues.updateComment({ ...gh.where, comment_id: existing.id, body: text }),
      );
      return { result: 'updated', id: data.id, url: data.html_url };
    }
    if (options.create === false) return { result: 'skipped', id: null, url: null };
    const { data } = await gh.call(`comment on #${pr}`, () =>
      gh.octokit.rest.issues.createComment({ ...gh.where, issue_number: pr, body: text }),
    );
    return { result: 'created', id: data.id, url: data.html_url };
  } catch (error) {
    const denied = deniedWrite(error);
    if (denied) return { result: 'forbidden', id: null, url: null, ...denied };
    throw error;
  }
}
