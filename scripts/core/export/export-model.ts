// What every export format is made from: the flags at one commit, when each entered its state,
// and (for flagd) the customer choices the platform holds. Plain data: no I/O, no clock.
import type { FlagFile, State } from '../model.ts';

export const EXPORT_FORMATS = ['flagd', 'manifest', 'typescript'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One flag as the artifacts show it. */
export interface ExportFlag {
  key: string;
  description: string;
  owner: string;
  state: State;
  /** When the flag entered its state on the first-parent history (the soak clock), ISO. */
  since: string | null;
  manual: string | null;
  /** The orgs staff enable while alpha (`alpha_orgs`), sorted, without repeats. */
  alphaOrgs: string[];
}

/** Orgs that opted in to, or out of, one flag on the platform (sorted). */
export interface OrgChoice {
  optedIn: readonly string[];
  optedOut: readonly string[];
}

/**
 * The customer choices behind beta and ga: read from the platform, or not known, in which case
 * the flagd targeting can only say what the repository knows (and says so).
 */
export type CustomerChoices =
  | { status: 'read'; source: string; byFlag: ReadonlyMap<string, OrgChoice> }
  | { status: 'unknown'; reason: string };

export interface ExportInput {
  /** The commit the flags were read at (full sha). */
  commit: string;
  /** Sorted by key. */
  flags: readonly ExportFlag[];
  choices: CustomerChoices;
}

/** A generated file's text, and what a person should know about it (printed, not written). */
export interface Artifact {
  text: string;
  notes: string[];
}

/** Export errors are about the flags (exit 1), e.g. two keys that take the same name in code. */
export class ExportRefusal extends Error {
  override name = 'ExportRefusal';
}

/** The flags of a loaded set, by key, with their soak clocks. */
export function exportFlags(
  flags: readonly FlagFile[],
  since: ReadonlyMap<string, Date | null> = new Map(),
): ExportFlag[] {
  const byKey = new Map<string, ExportFlag[]>();
  for (const { flag } of flags) {
    const row: ExportFlag = {
      key: flag.key,
      description: flag.description,
      owner: flag.owner,
      state: flag.state,
      since: since.get(flag.key)?.toISOString().replace('.000Z', 'Z') ?? null,
      manual: flag.manual ?? null,
      alphaOrgs: [...new Set((flag.alpha_orgs ?? []).map((o) => o.org))].sort(),
    };
    byKey.set(flag.key, [...(byKey.get(flag.key) ?? []), row]);
  }
  // The built-in sort orders strings by UTF-16 code units, as `<` does; a key held twice (a
  // duplicate-key load error) keeps its files' order, as a stable sort by key did.
  return [...byKey.keys()].sort().flatMap((key) => byKey.get(key)!);
}
