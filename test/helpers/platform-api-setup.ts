// The set-up of the platform API tests (platform-api*.test.ts): a real server per test with a
// settable clock, whose every answer, through the client or raw, is checked against
// schema/platform-api.yaml; a test fails when any answer was not what the document says.
import { afterEach, beforeEach, expect } from 'vitest';
import { PlatformError } from '../../scripts/core/platform-model.ts';
import { platformServer, type TestPlatform } from './platform-server.ts';
import { answerProblems, templateOf, schemaValidator } from './platform-openapi.ts';
import { rawHttp, type RawAnswer } from './raw-http.ts';

export const T0 = new Date('2026-11-20T10:00:00.000Z');
export let now = T0;
export const advance = (hours: number): void => {
  now = new Date(now.getTime() + hours * 3_600_000);
};

export let platform: TestPlatform;
const problems: string[] = [];
export const logLines: string[] = [];

/** fetch that checks every answer the client receives against the API document. */
const checkedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const copy = res.clone();
  const text = await copy.text();
  const path = new URL(input instanceof Request ? input.url : input.toString()).pathname;
  try {
    problems.push(
      ...answerProblems({
        method: init?.method ?? 'GET',
        path,
        status: res.status,
        headers: res.headers,
        body: JSON.parse(text) as unknown,
      }),
    );
  } catch (error) {
    // Thrown here it would look like a network error to the client, and be retried.
    problems.push(`checking ${path}: ${String(error)}`);
  }
  return res;
};

/** A raw request with the right token (unless told otherwise), checked against the document. */
export async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? platform.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const answer = await rawHttp(platform.url, method, path, { headers, body });
  const plainPath = path.split('?')[0] ?? path;
  if (templateOf(plainPath) !== undefined) {
    problems.push(...answerProblems({ method, path: plainPath, ...answer }));
  } else if (
    !schemaValidator('OtherErrorBody')(answer.body) &&
    !schemaValidator('BadRequestError')(answer.body) &&
    !schemaValidator('UnauthorizedError')(answer.body)
  ) {
    problems.push(
      `${method} ${path} ${answer.status}: not a documented error body: ${answer.text}`,
    );
  }
  return answer;
}

export const meta = (deps: string[] = []) => ({
  description: 'Live view of cameras',
  owner: '@novalien/video',
  depends_on: deps,
});

export function errorOf(answer: RawAnswer): { code: string; message: string } {
  return (answer.body as { error: { code: string; message: string } }).error;
}

export async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

/** Registers the per-test server and the document check; call once at a test file's top. */
export function useCheckedPlatform(): void {
  beforeEach(async () => {
    now = T0;
    problems.length = 0;
    logLines.length = 0;
    platform = await platformServer({
      clock: () => now,
      log: (line) => logLines.push(line),
      client: { fetch: checkedFetch, actor: 'deploy' },
    });
  });

  afterEach(async () => {
    await platform.close();
    expect(problems).toEqual([]);
  });
}
