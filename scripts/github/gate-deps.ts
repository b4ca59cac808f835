// What the gate is given to work with: how to judge, the git questions it asks, where the verdict
// goes. Apart from gate.ts so that each of its parts can name them without importing the entry.
import type { Annotation, JobSummary } from '../adapters/actions.ts';
import type { GitHubRepo, StickyCommentResult, WriteResult } from '../adapters/github.ts';
import type { GateStatus } from '../core/gate-status.ts';
import type { CheckResult } from '../core/model.ts';
import type { Env } from './entry.ts';

/** How the gate judges a change: `evaluateCheck` of scripts/commands/check.ts. */
export type Evaluate = (options: {
  cwd: string;
  base: string;
  head?: string;
  now: Date;
  strict?: boolean;
  env: Env;
  platformUrl?: string;
}) => Promise<CheckResult>;

/** The few git questions the gate asks (scripts/adapters/git.ts answers them). */
export interface GateGit {
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  firstParent(commit: string): Promise<string | null>;
  readFileAt(commit: string, path: string): Promise<string | null>;
  changedPaths(base: string, head: string, dir: string): Promise<string[]>;
}

/** Where the verdict goes in the workflow (scripts/adapters/actions.ts). */
export interface GateReporter {
  annotate(annotations: readonly Annotation[]): Promise<void>;
  writeJobSummary(summary: JobSummary): Promise<boolean>;
  setOutputs(outputs: Record<string, unknown>): Promise<void>;
}

export interface GateDeps {
  github: GitHubRepo | null;
  evaluate: Evaluate;
  git: GateGit;
  reporter: GateReporter;
  now: Date;
  env: Env;
  log: (line: string) => void;
}

export interface GateOutcome {
  exitCode: 0 | 1 | 2;
  result: CheckResult | null;
  status: GateStatus | null;
  comment: StickyCommentResult['result'] | 'failed';
  commitStatus: WriteResult['result'] | 'skipped' | 'failed';
}
