// flagd flag definitions (https://flagd.dev/schema/v0/flags.json) that answer, for an org, what
// the platform answers in GET /api/v1/orgs/{org_id}/feature-flags: one boolean flag per key,
// variants on/off, targeting on the evaluation context's `orgId`.
import { INTERNAL_ORGS } from '../model.ts';
import type { Artifact, ExportFlag, ExportInput, OrgChoice } from './export-model.ts';

export const FLAGD_SCHEMA = 'https://flagd.dev/schema/v0/flags.json';
/** The evaluation-context attribute the targeting reads: the org's id. */
export const ORG_CONTEXT_KEY = 'orgId';

type Logic = Record<string, unknown>;

export interface FlagdFlag {
  state: 'ENABLED';
  variants: { on: true; off: false };
  defaultVariant: 'on' | 'off';
  targeting?: Logic;
  metadata: Record<string, string>;
}

export interface FlagdDocument {
  $schema: string;
  metadata: Record<string, string>;
  flags: Record<string, FlagdFlag>;
}

const NO_CHOICE: OrgChoice = { optedIn: [], optedOut: [] };
const orgIn = (orgs: readonly string[]): Logic => ({ in: [{ var: ORG_CONTEXT_KEY }, orgs] });

function sortedUnion(...lists: (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

/**
 * The runbook's meaning of each state, as the platform server applies it: alpha is the internal
 * orgs and the staff-enabled ones; beta adds the orgs that opted in, and an opt-out wins; ga is
 * every org that has not opted out.
 */
function flagdFlag(flag: ExportFlag, choice: OrgChoice, commit: string): FlagdFlag {
  return { ...evaluation(flag, choice), metadata: flagMetadata(flag, commit) };
}

function flagMetadata(flag: ExportFlag, commit: string): Record<string, string> {
  const metadata: Record<string, string> = { owner: flag.owner, state: flag.state };
  if (flag.since !== null) metadata.since = flag.since;
  metadata.commit = commit;
  return metadata;
}

/** What a flag answers: the same for every flag of one state, orgs and choices. */
function evaluation(flag: ExportFlag, choice: OrgChoice): Omit<FlagdFlag, 'metadata'> {
  const optedOut = [...choice.optedOut];
  let defaultVariant: FlagdFlag['defaultVariant'] = 'off';
  let targeting: Logic | undefined;
  switch (flag.state) {
    case 'alpha':
      targeting = { if: [orgIn(sortedUnion(INTERNAL_ORGS, flag.alphaOrgs)), 'on', 'off'] };
      break;
    case 'beta': {
      const on = orgIn(sortedUnion(INTERNAL_ORGS, flag.alphaOrgs, choice.optedIn));
      targeting = {
        if: optedOut.length ? [orgIn(optedOut), 'off', on, 'on', 'off'] : [on, 'on', 'off'],
      };
      break;
    }
    case 'ga':
      defaultVariant = 'on';
      if (optedOut.length) targeting = { if: [orgIn(optedOut), 'off', 'on'] };
      break;
  }
  return {
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant,
    ...(targeting ? { targeting } : {}),
  };
}

function choiceOf(input: ExportInput, key: string): OrgChoice {
  return input.choices.status === 'read' ? (input.choices.byFlag.get(key) ?? NO_CHOICE) : NO_CHOICE;
}

function setMetadata(input: ExportInput): FlagdDocument['metadata'] {
  return {
    flagSetId: 'novavms',
    commit: input.commit,
    contextKey: ORG_CONTEXT_KEY,
    customerChoices:
      input.choices.status === 'read'
        ? `read from the platform at ${input.choices.source}`
        : `unknown (${input.choices.reason}): beta is on only for the internal orgs and alpha_orgs, ga for every org`,
  };
}

export function flagdDocument(input: ExportInput): FlagdDocument {
  const flags: Record<string, FlagdFlag> = {};
  for (const flag of input.flags) {
    flags[flag.key] = flagdFlag(flag, choiceOf(input, flag.key), input.commit);
  }
  return { $schema: FLAGD_SCHEMA, metadata: setMetadata(input), flags };
}

/**
 * flagdDocument as text: the document's head indented, then each flag on one line of its own.
 * A flag per line keeps a diff of two exports to the flags that changed, and the file about half
 * the size of JSON indented throughout (6.8 MB at 10,000 flags), which is time the export spends
 * formatting and writing.
 */
export function flagdText(input: ExportInput): string {
  const head = JSON.stringify({ $schema: FLAGD_SCHEMA, metadata: setMetadata(input) }, null, 2);
  // Most flags share their evaluation (alpha for the internal orgs alone, ga for everyone): each
  // distinct one is built and written once, then reused without its closing brace.
  const evaluations = new Map<string, string>();
  const lines = input.flags.map((flag) => {
    const choice = choiceOf(input, flag.key);
    const shape = JSON.stringify([flag.state, flag.alphaOrgs, choice.optedIn, choice.optedOut]);
    let body = evaluations.get(shape);
    if (body === undefined) {
      body = JSON.stringify(evaluation(flag, choice)).slice(0, -1);
      evaluations.set(shape, body);
    }
    const metadata = JSON.stringify(flagMetadata(flag, input.commit));
    return `    ${JSON.stringify(flag.key)}: ${body},"metadata":${metadata}}`;
  });
  const flags = lines.length ? `{\n${lines.join(',\n')}\n  }` : '{}';
  return `${head.slice(0, -2)},\n  "flags": ${flags}\n}\n`;
}

export function flagdArtifact(input: ExportInput): Artifact {
  const notes: string[] = [];
  const beta = input.flags.filter((f) => f.state === 'beta').length;
  const ga = input.flags.filter((f) => f.state === 'ga').length;
  if (input.choices.status === 'unknown' && beta + ga > 0) {
    notes.push(
      `customer opt-ins and opt-outs are unknown (${input.choices.reason}): ${beta} beta flag(s) are off for every customer org that opted in, and ${ga} ga flag(s) are on even for orgs that opted out; pass --platform-url to read them`,
    );
  }
  return { text: flagdText(input), notes };
}
