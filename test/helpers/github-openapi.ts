// GitHub's published REST description (npm @octokit/openapi) as a judge of the stand-in: a
// request for an operation GitHub does not have, a JSON body its schema refuses, or an answer
// its response schema refuses is a problem the test must see. It also hands out the documented
// examples the stand-in shapes its answers from. Loaded once per test worker (the document is
// 13 MB).
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

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
}

type OpenApiDoc = {
  paths: Record<
    string,
    Record<
      string,
      { operationId?: string; requestBody?: unknown; responses?: Record<string, ResponseObject> }
    >
  >;
  components: {
    examples: Record<string, { value?: unknown }>;
    responses: Record<string, ResponseObject>;
  };
};

let loaded: { ajv: Ajv; operations: Operation[]; doc: OpenApiDoc } | undefined;

function load(): { ajv: Ajv; operations: Operation[]; doc: OpenApiDoc } {
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
  untypedNullableAsAnyOf(doc);
  const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false });
  ajv.addSchema(doc, 'gh');
  loaded = { ajv, operations, doc };
  return loaded;
}

/**
 * `nullable` as OpenAPI 3.0 means it, for ajv: beside `allOf`/`anyOf` without a `type` (which
 * ajv refuses to compile) it becomes "null, or the rest" (a response's `milestone: null` must
 * pass, and a milestone object must still be checked), and beside an `enum` it admits null.
 */
function untypedNullableAsAnyOf(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) untypedNullableAsAnyOf(v);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const v of Object.values(record)) untypedNullableAsAnyOf(v);
  // An open issue's `state_reason` is null although the enum beside `nullable` omits it.
  const allowed = record['enum'];
  if (record['nullable'] === true && Array.isArray(allowed) && !allowed.includes(null)) {
    allowed.push(null);
  }
  if (record['nullable'] === true && !('type' in record)) {
    const rest = { ...record };
    delete rest['nullable'];
    for (const key of Object.keys(record)) delete record[key];
    record['anyOf'] = [{ type: 'null' }, rest];
  }
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

/**
 * Why GitHub's description refuses `data` as the `status` answer to the request, or null when it
 * documents it (or documents no JSON for that status: GitHub answers 401, 403 and 5xx anywhere).
 */
export function responseProblem(
  method: string,
  rawPath: string,
  status: number,
  data: unknown,
): string | null {
  const op = findOperation(method, rawPath);
  if (!op || data === null || data === undefined) return null;
  const key = `${op.method} ${op.template} ${status}`;
  if (!responseValidators.has(key)) responseValidators.set(key, responseValidator(op, status));
  const validate = responseValidators.get(key);
  if (!validate || validate(data)) return null;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`)
    .join('; ');
  return `${op.operationId} ${status}: the response does not match GitHub's schema: ${errors}`;
}

const responseValidators = new Map<string, ValidateFunction | undefined>();

function responseValidator(op: Operation, status: number): ValidateFunction | undefined {
  const { ajv, doc } = load();
  const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
  const response = doc.paths[op.template]?.[op.method.toLowerCase()]?.responses?.[String(status)];
  if (!response) return undefined;
  let pointer = `/paths/${escape(op.template)}/${op.method.toLowerCase()}/responses/${status}`;
  let resolved = response;
  if (response.$ref) {
    const name = response.$ref.split('/').at(-1) ?? '';
    resolved = doc.components.responses[name] ?? {};
    pointer = `/components/responses/${escape(name)}`;
  }
  if (!resolved.content?.['application/json']?.schema) return undefined;
  return ajv.getSchema(`gh#${encodeURI(`${pointer}/content/application~1json/schema`)}`);
}

/**
 * A fresh copy of one of the description's component examples (`issue`, `pull-request`, ...);
 * a list example gives its first item.
 */
export function componentExample(name: string): Record<string, unknown> {
  const value = load().doc.components.examples[name]?.value;
  if (value === undefined) throw new Error(`GitHub's description has no example ${name}`);
  const item: unknown = Array.isArray(value) ? value[0] : value;
  return structuredClone(item) as Record<string, unknown>;
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
