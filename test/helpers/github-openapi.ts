// GitHub's published REST description (npm @octokit/openapi) as a judge of the stand-in's
// requests: an operation GitHub does not have, or a JSON body its schema refuses, is a problem
// the test must see. Loaded once per test worker (the document is 13 MB).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  operationId: string;
  hasBody: boolean;
}

type OpenApiDoc = {
  paths: Record<string, Record<string, { operationId?: string; requestBody?: unknown }>>;
};

let loaded: { ajv: Ajv; operations: Operation[] } | undefined;

function load(): { ajv: Ajv; operations: Operation[] } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const doc = require('@octokit/openapi/generated/api.github.com.json') as OpenApiDoc;
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
    );
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern,
        operationId: op.operationId ?? `${method} ${template}`,
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  // Literal segments win over parameters, as GitHub routes them (`/pulls/comments` vs `/{n}`).
  operations.sort((a, b) => literalWeight(b.template) - literalWeight(a.template));
  dropUntypedNullable(doc);
  const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false });
  ajv.addSchema(doc, 'gh');
  loaded = { ajv, operations };
  return loaded;
}

/**
 * OpenAPI 3.0 puts `nullable` beside `allOf`/`anyOf` without a `type`, which ajv refuses to
 * compile; there it adds nothing a body check needs, so it goes.
 */
function dropUntypedNullable(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) dropUntypedNullable(v);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if ('nullable' in record && !('type' in record)) delete record['nullable'];
  for (const v of Object.values(record)) dropUntypedNullable(v);
}

function literalWeight(template: string): number {
  return template.split('/').filter((s) => s && !s.startsWith('{')).length;
}

const validators = new Map<string, ValidateFunction | undefined>();

/** The operation GitHub has for `method` on the raw (still percent-encoded) path, or null. */
export function findOperation(method: string, rawPath: string): Operation | null {
  return load().operations.find((o) => o.method === method && o.pattern.test(rawPath)) ?? null;
}

/** Why GitHub's description refuses the request, or null when it describes it. */
export function openApiProblem(method: string, rawPath: string, body: unknown): string | null {
  const op = findOperation(method, rawPath);
  if (!op) return `${method} ${rawPath}: GitHub's REST API has no such operation`;
  if (!op.hasBody || body === null || body === undefined) return null;
  const key = `${op.method} ${op.template}`;
  if (!validators.has(key)) {
    const pointer = `/paths/${op.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method.toLowerCase()}/requestBody/content/application~1json/schema`;
    validators.set(key, load().ajv.getSchema(`gh#${encodeURI(pointer)}`));
  }
  const validate = validators.get(key);
  if (!validate || validate(body)) return null;
  const errors = (validate.errors ?? [])
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`)
    .join('; ');
  return `${op.operationId}: the body does not match GitHub's schema: ${errors}`;
}

/** The permission scope a write needs from the workflow's `permissions:` block. */
export function scopeOfWrite(method: string, route: string): string[] {
  if (method === 'GET' || method === 'HEAD') return [];
  if (route.startsWith('/statuses/')) return ['statuses'];
  if (route.startsWith('/git/')) return ['contents'];
  if (route.startsWith('/pulls')) return ['pull-requests'];
  // Comments, labels and assignees of a pull request take either scope, as on GitHub.
  if (route.startsWith('/issues')) return ['issues', 'pull-requests'];
  return ['contents'];
}

/** The `permissions:` a job of a workflow file grants (the job's own, else the workflow's). */
export function workflowPermissions(file: string, job: string): Record<string, string> {
  const doc = parse(readFileSync(file, 'utf8')) as {
    permissions?: Record<string, string> | string;
    jobs?: Record<string, { permissions?: Record<string, string> | string }>;
  };
  const block = doc.jobs?.[job]?.permissions ?? doc.permissions ?? {};
  if (typeof block === 'string') throw new Error(`${file}: permissions: ${block} is not a map`);
  return block;
}
