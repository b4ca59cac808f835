// The API's routes (CONTRACT section 4, plus the error-report extension): for each, how to read
// its input and which pure function answers it. The paths are those of schema/platform-api.yaml.
import {
  liveFlag,
  liveFlags,
  orgAuditLog,
  orgChoices,
  orgFlags,
  platformAuditLog,
  toPlatformFlag,
} from './state.ts';
import type { PlatformState } from './state.ts';
import {
  applyStateChange,
  archiveFlag,
  putFlag,
  recordErrors,
  setOptIn,
  setOrgEnabled,
  type Applied,
  type WriteContext,
} from './operations.ts';
import {
  parseAuditQuery,
  parseEnabledBody,
  parseErrorReport,
  parseFlagKey,
  parseFlagMetadata,
  parseOrgId,
  parsePageQuery,
  parseStateBody,
} from './validation.ts';
import { PlatformError } from '../core/platform-model.ts';

export interface Answer {
  status: number;
  body: unknown;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  now: Date;
}

export interface ReadRoute {
  kind: 'read';
  method: 'GET';
  path: string;
  read(state: PlatformState, req: RouteRequest): Answer;
}

export interface WriteRoute {
  kind: 'write';
  method: 'PUT' | 'POST' | 'DELETE';
  path: string;
  /** Whether the route reads a JSON body (DELETE does not). */
  hasBody: boolean;
  /** Checks the input (400 before anything else) and returns the operation to run in turn. */
  prepare(
    req: RouteRequest & { body: unknown },
  ): (state: PlatformState, ctx: WriteContext) => Applied<unknown>;
}

export type Route = ReadRoute | WriteRoute;

function param(req: RouteRequest, name: string): string {
  const value = req.params[name];
  if (value === undefined) throw new Error(`route has no {${name}} parameter`);
  return value;
}

const flagKey = (req: RouteRequest): string => parseFlagKey(param(req, 'flag'));
const orgId = (req: RouteRequest): string => parseOrgId(param(req, 'org_id'));

export const ROUTES: readonly Route[] = [
  {
    kind: 'read',
    method: 'GET',
    path: '/api/v1/platform/feature-flags',
    read: (state, req) => ({
      status: 200,
      body: { flags: liveFlags(state).map((f) => toPlatformFlag(f, req.now)) },
    }),
  },
  {
    kind: 'read',
    method: 'GET',
    path: '/api/v1/platform/feature-flags/{flag}',
    read: (state, req) => {
      const key = flagKey(req);
      const flag = liveFlag(state, key);
      if (!flag) throw new PlatformError(404, 'FLAG_NOT_FOUND', `flag '${key}' is not registered`);
      return { status: 200, body: toPlatformFlag(flag, req.now) };
    },
  },
  {
    kind: 'write',
    method: 'PUT',
    path: '/api/v1/platform/feature-flags/{flag}',
    hasBody: true,
    prepare: (req) => {
      const key = flagKey(req);
      const meta = parseFlagMetadata(req.body);
      return (state, ctx) => putFlag(state, key, meta, ctx);
    },
  },
  {
    kind: 'write',
    method: 'DELETE',
    path: '/api/v1/platform/feature-flags/{flag}',
    hasBody: false,
    prepare: (req) => {
      const key = flagKey(req);
      return (state, ctx) => archiveFlag(state, key, ctx);
    },
  },
  {
    kind: 'write',
    method: 'POST',
    path: '/api/v1/platform/feature-flags/{flag}/state',
    hasBody: true,
    prepare: (req) => {
      const key = flagKey(req);
      const newState = parseStateBody(req.body);
      return (state, ctx) => applyStateChange(state, key, newState, ctx);
    },
  },
  {
    kind: 'write',
    method: 'POST',
    path: '/api/v1/platform/feature-flags/{flag}/errors',
    hasBody: true,
    prepare: (req) => {
      const key = flagKey(req);
      const { count, at } = parseErrorReport(req.body, req.now);
      return (state, ctx) => recordErrors(state, key, count, at, ctx);
    },
  },
  {
    kind: 'write',
    method: 'POST',
    path: '/api/v1/platform/orgs/{org_id}/feature-flags/{flag}',
    hasBody: true,
    prepare: (req) => {
      const org = orgId(req);
      const key = flagKey(req);
      const enabled = parseEnabledBody(req.body);
      return (state, ctx) => setOrgEnabled(state, org, key, enabled, ctx);
    },
  },
  {
    kind: 'write',
    method: 'POST',
    path: '/api/v1/orgs/{org_id}/feature-flags/{flag}/opt-in',
    hasBody: true,
    prepare: (req) => {
      const org = orgId(req);
      const key = flagKey(req);
      const enabled = parseEnabledBody(req.body);
      return (state, ctx) => setOptIn(state, org, key, enabled, ctx);
    },
  },
  {
    kind: 'read',
    method: 'GET',
    path: '/api/v1/orgs/{org_id}/feature-flags',
    read: (state, req) => ({ status: 200, body: { flags: orgFlags(state, orgId(req)) } }),
  },
  {
    kind: 'read',
    method: 'GET',
    path: '/api/v1/platform/opt-ins',
    read: (state) => ({ status: 200, body: { flags: orgChoices(state) } }),
  },
  {
    kind: 'read',
    method: 'GET',
    path: '/api/v1/platform/audit-log',
    read: (state, req) => ({
      status: 200,
      body: platformAuditLog(state, parseAuditQuery(req.query)),
    }),
  },
  {
    kind: 'read',
    method: 'GET',
    path: '/api/v1/orgs/{org_id}/audit-log',
    read: (state, req) => ({
      status: 200,
      body: orgAuditLog(state, orgId(req), parsePageQuery(req.query)),
    }),
  },
];

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

const compiled = ROUTES.map((route) => ({ route, parts: route.path.slice(1).split('/') }));

/** HEAD is answered on every GET route: the same status and headers, no body (node omits it). */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch {
  const allow: string[] = [];
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const { route, parts } of compiled) {
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) {
        params[part.slice(1, -1)] = segment;
        return segment !== '';
      }
      return part === segment;
    });
    if (!matches) continue;
    if (route.method === wanted) return { kind: 'found', route, params };
    allow.push(...(route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]));
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}
