// What the gate judges from and what it finds: shared by the judgements in this folder.
import type { Codeowners } from '../codeowners.ts';
import type { DecisionMakers } from '../decision-makers.ts';
import type { IncidentFacts, PlatformFacts } from '../facts.ts';
import type { Change, CriterionResult, FlagSet, Violation } from '../model.ts';

export interface GateInput {
  base: FlagSet;
  head: FlagSet;
  headCodeowners: Codeowners | null;
  /** When each base flag entered its base state: first-parent committer time of the base. */
  clocks: ReadonlyMap<string, Date | null>;
  platform: PlatformFacts;
  incidents: IncidentFacts;
  /** Who may skip a soak: the reviewed list as on the base. */
  decisionMakers: DecisionMakers;
  now: Date;
  strict: boolean;
  /**
   * The history-free rules on head, when the caller applied them already (check does, while git
   * walks the history); applied here otherwise.
   */
  staticViolations?: readonly Violation[];
}

export type OverrideUse = {
  flag: string;
  decision_maker: string;
  incident: string;
  reason: string;
};

export interface GateResult {
  changes: Change[];
  violations: Violation[];
  criteria: CriterionResult[];
  overrides: OverrideUse[];
}
