// schema/platform-api.yaml as a test oracle: which operations it documents, and whether an answer
// (status, documented headers, JSON body) is what it says for that operation.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

interface MediaType {
  schema?: { $ref?: string };
}
interface ResponseObject {
  $ref?: string;
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface ApiDoc {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, unknown>;
    responses: Record<string, ResponseObject>;
  };
}

export const API_DOC_FILE = new URL('../../schema/platform-api.yaml', import.meta.url);
export const apiDoc = parse(readFileSync(API_DOC_FILE, 'utf8')) as ApiDoc;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const ROOT_ID = 'platform-api';

const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addKeyword('components');
ajv.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });
ajv.addSchema({ $id: ROOT_ID, components: { schemas: apiDoc.components.schemas } });

/**
 * RFC 3339 section 5.6 `date-time`, written apart from the server's parser so that the two are
 * compared, not copied: seconds required, `T`/`Z` in either case, calendar-checked dates, and a
 * leap second only at 23:59:60 UTC on the last day of a month (section 5.7, Appendix D).
 */
export function isRfc3339DateTime(text: string): boolean {
  const m =
    /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?(?:[Zz]|([+-])(\d\d):(\d\d))$/.exec(
      text,
    );
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(2000, mo - 1, d));
  date.setUTCFullYear(y);
  const realDate = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1;
  const oh = Number(m[9] ?? 0);
  const om = Number(m[10] ?? 0);
  if (!realDate || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59) {
    return false;
  }
  if (sec < 60) return true;
  // The UTC minute of a leap second is 23:59 on the last day of its month.
  const shift = (m[8] === '-' ? 1 : -1) * (oh * 60 + om);
  const utc = new Date(date.getTime() + (h * 60 + mi + shift) * 60_000);
  const nextDay = new Date(utc.getTime() + 86_400_000);
  return utc.getUTCHours() === 23 && utc.getUTCMinutes() === 59 && nextDay.getUTCDate() === 1;
}

const validators = new Map<string, ValidateFunction>();

/** A validator for `#/components/schemas/Name` (or the name alone). */
export function schemaValidator(ref: string): ValidateFunction {
  const pointer = ref.startsWith('#') ? ref : `#/components/schemas/${ref}`;
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${ROOT_ID}${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/** Every documented operation as `METHOD /path/{template}`. */
export function documentedOperations(): string[] {
  return Object.entries(apiDoc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

/** The documented path template a concrete path falls under, if any. */
export function templateOf(pathname: string): string | undefined {
  const segments = pathname.split('/');
  return Object.keys(apiDoc.paths).find((template) => {
    const parts = template.split('/');
    return (
      parts.length === segments.length &&
      parts.every((part, i) => {
        const segment = segments[i] ?? '';
        return part.startsWith('{') ? segment !== '' : part === decodeURIComponent(segment);
      })
    );
  });
}

function resolveResponse(response: ResponseObject): ResponseObject {
  const ref = response.$ref;
  if (ref === undefined) return response;
  const name = ref.replace('#/components/responses/', '');
  const found = apiDoc.components.responses[name];
  if (!found) throw new Error(`dangling $ref ${ref}`);
  return found;
}

export interface ObservedAnswer {
  method: string;
  /** Path of the request, without the query. */
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/** What is wrong with an answer by the document; an empty list when nothing is. */
export function answerProblems(answer: ObservedAnswer): string[] {
  const template = templateOf(answer.path);
  if (template === undefined) return [`${answer.path} is not a documented path`];
  const operation = apiDoc.paths[template]?.[answer.method.toLowerCase()] as Operation | undefined;
  const where = `${answer.method} ${template} ${answer.status}`;
  if (!operation) {
    if (answer.status !== 405) return [`${answer.method} ${template} is not documented`];
    const documentedMethods = Object.keys(apiDoc.paths[template] ?? {})
      .filter((m) => METHODS.includes(m))
      .map((m) => m.toUpperCase())
      .sort();
    const allow = (answer.headers.get('allow') ?? '').split(', ').sort();
    return allow.join() === documentedMethods.join()
      ? []
      : [
          `${answer.method} ${template} 405 Allow ${allow.join()} is not ${documentedMethods.join()}`,
        ];
  }
  const documented = operation.responses[String(answer.status)] ?? operation.responses.default;
  if (!documented) return [`${where} is not a documented answer`];
  const response = resolveResponse(documented);
  const problems: string[] = [];
  for (const header of Object.keys(response.headers ?? {})) {
    if (!answer.headers.has(header)) problems.push(`${where} lacks header ${header}`);
  }
  if (answer.method === 'HEAD') {
    return answer.body === undefined ? problems : [...problems, `${where} has a body`];
  }
  const ref = response.content?.['application/json']?.schema?.$ref;
  if (ref === undefined) return [...problems, `${where} documents no JSON schema by $ref`];
  const validate = schemaValidator(ref);
  if (!validate(answer.body)) {
    problems.push(`${where} body fails ${ref}: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}
