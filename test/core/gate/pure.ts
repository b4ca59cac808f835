// The gate as a function of data, for tests of one rule at a time: flag sets built from plain
// objects (written as YAML and loaded the way a commit's files are), the soak clocks, platform
// and incident facts, the decision-maker list and the clock, each defaulting to the quiet case.
import { stringify } from 'yaml';
import { evaluateGate, type GateInput, type GateResult } from '../../../scripts/core/gate.ts';
import { parseDecisionMakers } from '../../../scripts/core/decision-makers.ts';
import type { Incident } from '../../../scripts/core/facts.ts';
import { buildFlagSet, type RawEntry } from '../../../scripts/core/load.ts';
import type { Flag, FlagSet } from '../../../scripts/core/model.ts';
import type { PlatformFlag } from '../../../scripts/core/platform-model.ts';

export const NOW = new Date('2026-11-24T12:00:00Z');
export const HOUR = 3_600_000;

export type FlagSpec = Partial<Flag> & { key: string; folder?: string };

/** A flag file's fields as the schema wants them, with the spec's fields on top. */
export function flagFields(spec: FlagSpec): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...spec };
  delete fields.folder;
  return {
    description: `The ${spec.key} feature.`,
    owner: '@novalien/video',
    state: 'alpha',
    revertible: true,
    ...fields,
  };
}

export function flagSet(...specs: FlagSpec[]): FlagSet {
  const entries = specs.map((spec): RawEntry => {
    const content = Buffer.from(stringify(flagFields(spec)));
    const path = `flags/${spec.folder ?? 'video'}/${spec.key}.yaml`;
    return { path, kind: 'file', size: content.length, content };
  });
  return buildFlagSet(entries);
}

/** The platform's record of a flag, healthy and in the given state since `since`. */
export function onPlatform(
  key: string,
  state: PlatformFlag['state'],
  since: Date,
  extra: Partial<PlatformFlag> = {},
): PlatformFlag {
  return {
    key,
    description: `The ${key} feature.`,
    owner: '@novalien/video',
    state,
    depends_on: [],
    state_changed_at: since.toISOString(),
    opt_in_count: 0,
    orgs_enabled: [],
    error_count_24h: 0,
    ...extra,
  };
}

export interface Case {
  base: FlagSpec[];
  head: FlagSpec[];
  /** When each flag entered its base state by git; a flag left out has no git clock. */
  clocks?: Record<string, Date | null>;
  /** Platform records; undefined: no platform configured. */
  platform?: PlatformFlag[];
  /** Open incidents per flag; undefined: incident facts unavailable. */
  incidents?: Record<string, Incident[]>;
  /** The text of .github/decision-makers.yaml on the base; undefined: no file. */
  decisionMakers?: string;
  now?: Date;
  strict?: boolean;
}

export function input(c: Case): GateInput {
  return {
    base: flagSet(...c.base),
    head: flagSet(...c.head),
    headCodeowners: null,
    clocks: new Map(Object.entries(c.clocks ?? {})),
    platform: c.platform
      ? { status: 'ok', data: new Map(c.platform.map((f) => [f.key, f])) }
      : { status: 'unconfigured', reason: 'no platform URL given' },
    incidents: c.incidents
      ? { status: 'ok', data: new Map(Object.entries(c.incidents)) }
      : { status: 'unavailable', reason: 'GitHub not reachable' },
    decisionMakers: parseDecisionMakers(c.decisionMakers ?? null),
    now: c.now ?? NOW,
    strict: c.strict ?? false,
    staticViolations: [],
  };
}

export interface Judged extends GateResult {
  /** Rule ids of the violations, sorted, each as `rule:severity`. */
  rules: string[];
  /** Rule ids of the errors alone, sorted. */
  errors: string[];
  message(rule: string): string;
}

export function judge(c: Case): Judged {
  const out = evaluateGate(input(c));
  return {
    ...out,
    rules: out.violations.map((v) => `${v.rule}:${v.severity}`).sort(),
    errors: out.violations
      .filter((v) => v.severity === 'error')
      .map((v) => v.rule)
      .sort(),
    message: (rule) => {
      const found = out.violations.filter((v) => v.rule === rule);
      if (found.length !== 1) throw new Error(`expected one ${rule}, found ${found.length}`);
      return found[0]!.message;
    },
  };
}

export const hoursBefore = (h: number, now = NOW): Date => new Date(now.getTime() - h * HOUR);
