// The stand-in's own records of a repository (what a test seeds and asserts on), and the shape of
// an answer a route gives.
import { createHash } from 'node:crypto';

export interface StubUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface StubIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  user: StubUser;
  createdAt: string;
  /** Set when this issue is a pull request. */
  isPull: boolean;
}

export interface StubPull {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  headSha: string;
  headRef: string;
  /** `owner/name` of the head repository (another one for a fork). */
  headRepo: string;
  baseRef: string;
  baseSha: string;
  files: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  user: StubUser;
}

export interface StubComment {
  id: number;
  issue: number;
  body: string;
  user: StubUser;
  createdAt: string;
}

export interface StubReview {
  id: number;
  pr: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitId: string;
  submittedAt: string;
  /** GitHub's author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ... */
  association?: string;
}

export interface StubStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query, e.g. `/repos/o/r/issues/1/comments`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface StubCommit {
  tree: string;
  parents: string[];
  message: string;
}

/** What a route answers: a status, the JSON (null for none) and extra headers. */
export interface Answer {
  status: number;
  data: unknown;
  headers?: Record<string, string>;
}

/** The request a route is asked to answer, relative to the repository. */
export interface RouteRequest {
  /** `METHOD /path` below `/repos/{owner}/{repo}`, e.g. `GET /pulls/3/files`. */
  route: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  /** A page of `items` as GitHub paginates them (Link header, per_page). */
  page: (items: unknown[]) => Answer;
}

export const BOT: StubUser = { login: 'github-actions[bot]', type: 'Bot' };

/** A request body field as text (GitHub would refuse anything else). */
export function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** A 40-hex id derived from `seed` (stable across runs). */
export function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}
