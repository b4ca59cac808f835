// The platform API client (CONTRACT section 4): one method per endpoint, each one logical request
// of the transport (platform-transport.ts: retries, Idempotency-Keys, errors). The token lives in
// the transport's closure: no property, message or inspect output of the client holds it.
import { inspect } from 'node:util';
import type { State } from '../core/model.ts';
import {
  PlatformError,
  type ArchiveResult,
  type AuditEntry,
  type ErrorReportResult,
  type FlagMetadata,
  type OrgToggleResult,
  type PlatformApi,
  type PlatformFlag,
  type StateChangeResult,
  type WriteOptions,
} from '../core/platform-model.ts';
import {
  createTransport,
  type PlatformClientOptions,
  type Transport,
} from './platform-transport.ts';

export {
  PlatformUnreachableError,
  type PlatformClientOptions,
  type RetryInfo,
} from './platform-transport.ts';

export interface ErrorReport {
  count?: number;
  /** ISO time of the errors (default: the server's now). */
  at?: string;
}

/** PlatformApi, with the answers of the toggles and the error-report extension. */
export interface PlatformClient extends PlatformApi {
  readonly baseUrl: string;
  /** `PlatformClient(<base URL>)`: never the token. */
  toString(): string;
  setOrgEnabled(
    org: string,
    key: string,
    enabled: boolean,
    opts?: WriteOptions,
  ): Promise<OrgToggleResult>;
  setOptIn(
    org: string,
    key: string,
    enabled: boolean,
    opts?: WriteOptions,
  ): Promise<OrgToggleResult>;
  reportErrors(key: string, report?: ErrorReport, opts?: WriteOptions): Promise<ErrorReportResult>;
  /** Extension: each flag's customer opt-ins and opt-outs (what `export` targets with). */
  optIns(): Promise<OrgChoices[]>;
}

/** One flag's customer choices on the platform (`GET /api/v1/platform/opt-ins`). */
export interface OrgChoices {
  key: string;
  opted_in: string[];
  opted_out: string[];
}

type Request = Transport['request'];

const flagPath = (key: string): string =>
  `/api/v1/platform/feature-flags/${encodeURIComponent(key)}`;
const orgPath = (org: string): string => `/api/v1/orgs/${encodeURIComponent(org)}`;

/** The flag registry: list, read, register, change state, archive, report errors. */
function flagCalls(
  request: Request,
): Pick<
  PlatformClient,
  'listFlags' | 'getFlag' | 'putFlag' | 'setState' | 'archiveFlag' | 'reportErrors'
> {
  return {
    async listFlags() {
      const { body } = await request<{ flags: PlatformFlag[] }>({
        method: 'GET',
        path: '/api/v1/platform/feature-flags',
      });
      return requireArray(body.flags, 'flags');
    },

    async getFlag(key) {
      try {
        return (await request<PlatformFlag>({ method: 'GET', path: flagPath(key) })).body;
      } catch (error) {
        if (error instanceof PlatformError && error.code === 'FLAG_NOT_FOUND') return null;
        throw error;
      }
    },

    async putFlag(key, meta: FlagMetadata, opts = {}) {
      const body = {
        description: meta.description,
        owner: meta.owner,
        depends_on: meta.depends_on,
      };
      const res = await request<PlatformFlag>({
        method: 'PUT',
        path: flagPath(key),
        body,
        write: opts,
      });
      return { created: res.status === 201, flag: res.body };
    },

    async setState(key, state: State, opts = {}) {
      const path = `${flagPath(key)}/state`;
      return (
        await request<StateChangeResult>({ method: 'POST', path, body: { state }, write: opts })
      ).body;
    },

    async archiveFlag(key, opts = {}) {
      await request<ArchiveResult>({ method: 'DELETE', path: flagPath(key), write: opts });
    },

    async reportErrors(key, report = {}, opts = {}) {
      const path = `${flagPath(key)}/errors`;
      return (await request<ErrorReportResult>({ method: 'POST', path, body: report, write: opts }))
        .body;
    },
  };
}

/** Per org: staff enables, customer opt-ins, the flags an org sees, its audit log. */
function orgCalls(
  request: Request,
  pageSize: number,
): Pick<PlatformClient, 'setOrgEnabled' | 'setOptIn' | 'orgFlags' | 'orgAuditLog'> {
  return {
    async setOrgEnabled(org, key, enabled, opts = {}) {
      const path = `/api/v1/platform/orgs/${encodeURIComponent(org)}/feature-flags/${encodeURIComponent(key)}`;
      return (
        await request<OrgToggleResult>({ method: 'POST', path, body: { enabled }, write: opts })
      ).body;
    },

    async setOptIn(org, key, enabled, opts = {}) {
      const path = `${orgPath(org)}/feature-flags/${encodeURIComponent(key)}/opt-in`;
      return (
        await request<OrgToggleResult>({ method: 'POST', path, body: { enabled }, write: opts })
      ).body;
    },

    async orgFlags(org) {
      const path = `${orgPath(org)}/feature-flags`;
      const { body } = await request<{ flags: string[] }>({ method: 'GET', path });
      return requireArray(body.flags, 'flags');
    },

    async orgAuditLog(org) {
      return readAllPages(request, `${orgPath(org)}/audit-log`, new URLSearchParams(), pageSize);
    },
  };
}

/** The platform audit log. */
function auditCalls(request: Request, pageSize: number): Pick<PlatformClient, 'auditLog'> {
  return {
    async auditLog(query = {}) {
      const params = new URLSearchParams();
      if (query.flag !== undefined) params.set('flag', query.flag);
      if (query.since !== undefined) params.set('since', query.since);
      return readAllPages(request, '/api/v1/platform/audit-log', params, pageSize);
    },
  };
}

/**
 * Every entry of a paged audit log: the server answers at most a page per request, with the
 * cursor of the next page (`next_cursor`) until the last. Callers get the whole list, as before
 * the log was paged.
 */
async function readAllPages(
  request: Request,
  path: string,
  params: URLSearchParams,
  pageSize: number,
): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  const seen = new Set<string>();
  params.set('limit', String(pageSize));
  for (;;) {
    const { body } = await request<{ entries: AuditEntry[]; next_cursor?: string | null }>({
      method: 'GET',
      path: `${path}?${params.toString()}`,
    });
    all.push(...requireArray(body.entries, 'entries'));
    const next = body.next_cursor;
    if (next === undefined || next === null) return all;
    if (typeof next !== 'string' || seen.has(next)) {
      throw new PlatformError(200, 'BAD_RESPONSE', `platform audit log repeats cursor '${next}'`);
    }
    seen.add(next);
    params.set('cursor', next);
  }
}

export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  const { base, request } = createTransport(options);
  const pageSize = options.auditPageSize ?? 1000;
  const client: PlatformClient = {
    baseUrl: base,
    ...flagCalls(request),
    ...orgCalls(request, pageSize),
    ...auditCalls(request, pageSize),
    async optIns() {
      const path = '/api/v1/platform/opt-ins';
      const { body } = await request<{ flags: OrgChoices[] }>({ method: 'GET', path });
      return requireArray(body.flags, 'flags');
    },
  };
  const describe = (): string => `PlatformClient(${base})`;
  Object.defineProperties(client, {
    toString: { value: describe, enumerable: false },
    toJSON: { value: () => ({ baseUrl: base }), enumerable: false },
    [inspect.custom]: { value: describe, enumerable: false },
  });
  return client;
}

function requireArray<T>(value: T[] | undefined, field: string): T[] {
  if (!Array.isArray(value)) {
    throw new PlatformError(200, 'BAD_RESPONSE', `platform answer has no '${field}' array`);
  }
  return value;
}

/**
 * The client named by `--platform-url` (or PLATFORM_API_URL) with the token in
 * PLATFORM_API_TOKEN, or null when no URL is configured.
 */
export function platformFromEnv(
  env: Record<string, string | undefined>,
  urlOption?: string,
  options: Omit<PlatformClientOptions, 'baseUrl' | 'token'> = {},
): { client: PlatformClient; url: string } | null {
  const url = urlOption || env.PLATFORM_API_URL;
  if (!url) return null;
  const client = createPlatformClient({ ...options, baseUrl: url, token: env.PLATFORM_API_TOKEN });
  return { client, url: client.baseUrl };
}
