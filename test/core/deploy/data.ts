// Deploy plans as data, for tests of one rule at a time: flags, platform records, audit entries
// and the repository's history built from plain values around one fixed clock.
import {
  planDeploy,
  type DeployFacts,
  type FlagHistory,
  type StateEntry,
} from '../../../scripts/core/deploy-plan.ts';
import type { Flag, FlagSet, State } from '../../../scripts/core/model.ts';
import type { AuditEntry, PlatformFlag } from '../../../scripts/core/platform-model.ts';

export const NOW = new Date('2026-11-10T12:00:00Z');
export const SECOND = 1_000;
export const HOUR = 3_600_000;

/** An ISO time `ms` before NOW (negative: after). */
export const before = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

export function flag(key: string, more: Partial<Flag> = {}): Flag {
  return {
    key,
    description: `The ${key} feature.`,
    owner: '@novalien/video',
    state: 'alpha',
    revertible: true,
    ...more,
  };
}

export function set(...flags: Flag[]): FlagSet {
  return {
    flags: flags.map((f) => ({ file: `flags/video/${f.key}.yaml`, flag: f, lineOf: () => 1 })),
    violations: [],
    brokenFiles: [],
  };
}

/** The platform's record of `f` as the repository has it, in its state for 100 h. */
export function onPlatform(f: Flag, more: Partial<PlatformFlag> = {}): PlatformFlag {
  return {
    key: f.key,
    description: f.description,
    owner: f.owner,
    state: f.state,
    depends_on: f.depends_on ?? [],
    state_changed_at: before(100 * HOUR),
    opt_in_count: 0,
    orgs_enabled: (f.alpha_orgs ?? []).map((o) => o.org).sort(),
    error_count_24h: 0,
    ...more,
  };
}

export function audit(
  e: Partial<AuditEntry> & Pick<AuditEntry, 'action' | 'flag' | 'actor' | 'at'>,
): AuditEntry {
  return { id: 1, org: null, old_state: null, new_state: null, ...e };
}

/** One history entry: the state, how long before NOW (ms), and its other fields. */
export type EntrySpec = [State, number, Partial<StateEntry>?];

/** A history, oldest first; the first entry created the file, each commit has its own sha. */
export function history(...specs: EntrySpec[]): FlagHistory {
  return {
    entries: specs.map(([state, ms, more], i) => ({
      state,
      at: before(ms),
      sha: `${'abcdef'[i % 6]}`.repeat(40),
      created: i === 0,
      freshOverride: false,
      decisionMaker: null,
      ...more,
    })),
    orgsChangedAt: {},
    lastChangedAt: specs.length > 0 ? before(specs.at(-1)![1]) : null,
  };
}

export function facts(
  desired: FlagSet,
  actual: PlatformFlag[],
  more: Partial<DeployFacts> = {},
): DeployFacts {
  return {
    desired,
    actual,
    history: new Map(),
    audit: new Map(),
    removedKeys: new Set(),
    now: NOW,
    ...more,
  };
}

/** The plan's steps as `id kind rule`, in plan order. */
export const steps = (f: DeployFacts): string[] =>
  planDeploy(f).steps.map((s) => `${s.id} ${s.kind} ${s.rule ?? ''}`.trim());
