// The GitHub stand-in tests import; it lives in ./github-stub/ (server, routes, limits, records).
export { GitHubStub, startGitHubStub } from './github-stub/server.ts';
export { actionsRunner, type ActionsRunner } from './github-stub/runner.ts';
export {
  BOT,
  sha,
  type RecordedRequest,
  type StubComment,
  type StubIssue,
  type StubPull,
  type StubReview,
  type StubStatus,
  type StubUser,
} from './github-stub/types.ts';
