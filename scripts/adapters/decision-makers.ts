// The decision-maker list at a commit (the base of a change), from git objects.
import {
  DECISION_MAKERS_FILE,
  parseDecisionMakers,
  type DecisionMakers,
} from '../core/decision-makers.ts';
import type { GitRepo } from './git.ts';

export async function readDecisionMakersAt(git: GitRepo, commit: string): Promise<DecisionMakers> {
  return parseDecisionMakers(await git.readFileAt(commit, DECISION_MAKERS_FILE));
}
