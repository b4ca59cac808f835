// GitHub's own example webhook payloads (npm @octokit/webhooks-examples), rewritten to point at a
// test repository: every SHA the example carries for base and head becomes the test's, and every
// repository name becomes the stand-in's. What the example says otherwise stays as GitHub wrote it.
import { createRequire } from 'node:module';

interface Definition {
  name: string;
  examples: Record<string, unknown>[];
}

const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples/api.github.com/index.json',
) as Definition[];

/** Every example of `event` whose `action` is one of `actions` (all when none is given). */
export function webhookExamples(
  event: string,
  actions?: readonly string[],
): Record<string, unknown>[] {
  const definition = definitions.find((d) => d.name === event);
  if (!definition) throw new Error(`@octokit/webhooks-examples has no ${event} event`);
  return definition.examples
    .filter((e) => !actions || actions.includes(typeof e['action'] === 'string' ? e['action'] : ''))
    .map((e) => structuredClone(e));
}

export interface Rewrite {
  /** `owner/name` of the test repository. */
  repo: string;
  base: string;
  head: string;
  pr?: number;
  /** The pull request's author. */
  author?: string;
}

/** The example with its SHAs, numbers and repository names rewritten to the test's. */
export function rewriteExample(
  example: Record<string, unknown>,
  rewrite: Rewrite,
): Record<string, unknown> {
  const shas = new Map<string, string>();
  const pr = example['pull_request'] as Record<string, Record<string, unknown>> | undefined;
  const group = example['merge_group'] as Record<string, unknown> | undefined;
  if (pr) {
    shas.set(String(pr['base']?.['sha']), rewrite.base);
    shas.set(String(pr['head']?.['sha']), rewrite.head);
  }
  if (group) {
    shas.set(String(group['base_sha']), rewrite.base);
    shas.set(String(group['head_sha']), rewrite.head);
  }
  const names = new Set<string>();
  collectRepoNames(example, names);
  const replaced = JSON.parse(
    JSON.stringify(example, (_key, value: unknown) => {
      if (typeof value !== 'string') return value;
      if (shas.has(value)) return shas.get(value);
      if (names.has(value)) return rewrite.repo;
      return value;
    }),
  ) as Record<string, unknown>;
  const out = replaced['pull_request'] as Record<string, unknown> | undefined;
  if (out && rewrite.pr !== undefined) {
    out['number'] = rewrite.pr;
    replaced['number'] = rewrite.pr;
  }
  if (out && rewrite.author) out['user'] = { ...(out['user'] as object), login: rewrite.author };
  const outGroup = replaced['merge_group'] as Record<string, unknown> | undefined;
  if (outGroup && rewrite.pr !== undefined) {
    outGroup['head_ref'] = `refs/heads/gh-readonly-queue/main/pr-${rewrite.pr}-${rewrite.base}`;
  }
  return replaced;
}

function collectRepoNames(value: unknown, names: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRepoNames(v, names);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record['full_name'] === 'string' && 'private' in record)
    names.add(record['full_name']);
  for (const v of Object.values(record)) collectRepoNames(v, names);
}
