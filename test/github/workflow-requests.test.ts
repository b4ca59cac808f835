// Requests a workflow makes itself (a `gh api` step, not our scripts) are held to GitHub's REST
// description and to the job's own permissions, as the stand-in holds our scripts' requests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openApiProblem, scopeOfWrite, workflowPermissions } from '../helpers/github-openapi.ts';
import { sha } from '../helpers/github-stub.ts';

const file = fileURLToPath(new URL('../../.github/workflows/flags-gate.yml', import.meta.url));

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

/** `gh api --method M "path" -f k=v ...` as method, path and JSON body (env names kept). */
function ghApi(run: string): { method: string; path: string; body: Record<string, string> } {
  const method = /--method (\w+)/.exec(run)?.[1] ?? 'GET';
  const path = `/${/"([^"]+)"/.exec(run)?.[1] ?? ''}`;
  const body: Record<string, string> = {};
  for (const m of run.matchAll(/-f (\w+)=("([^"]*)"|\S+)/g)) body[m[1] ?? ''] = m[3] ?? m[2] ?? '';
  return { method, path, body };
}

describe('the merge queue settle step of flags-gate.yml', () => {
  const doc = parse(readFileSync(file, 'utf8')) as { jobs: { gate: { steps: Step[] } } };
  const step = doc.jobs.gate.steps.find((s) => s.name?.startsWith('Settle flags/soak'));

  it('sets a terminal flags/soak as GitHub describes it, with a permission the job has', () => {
    expect(step?.run).toBeDefined();
    const request = ghApi(step?.run ?? '');
    expect(request.body).toMatchObject({ state: 'error', context: 'flags/soak' });
    const path = request.path
      .replace('$GITHUB_REPOSITORY', 'novalien/flags')
      .replace('$HEAD_SHA', sha('group-head'));
    expect(openApiProblem(request.method, path, request.body)).toBe(null);
    const grants = workflowPermissions(file, 'gate');
    const scopes = scopeOfWrite(request.method, path.replace('/repos/novalien/flags', ''));
    expect(scopes.some((s) => grants[s] === 'write')).toBe(true);
    // The state is one GitHub takes; a typo here would leave the queue waiting.
    expect(openApiProblem(request.method, path, { ...request.body, state: 'errored' })).toMatch(
      /state/,
    );
  });
});
