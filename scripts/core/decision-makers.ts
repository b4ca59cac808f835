// The reviewed list of people who may decide to skip a soak (the runbook's "named
// decision-maker"). It lives outside flags/ and is read from the BASE commit, so a change
// cannot name its own author: adding someone is itself a change the release managers review.
import { parse } from 'yaml';
import { GITHUB_LOGIN } from './rules/blocks.ts';

export const DECISION_MAKERS_FILE = '.github/decision-makers.yaml';

export type DecisionMakers =
  /** No list in the repository: any named decision-maker is accepted (CONTRACT soak-override). */
  | { status: 'none'; file: string }
  /** Logins in lower case: GitHub logins are case-insensitive. */
  | { status: 'ok'; file: string; logins: ReadonlySet<string> }
  /** A list that does not load: no override may waive anything until it is fixed. */
  | { status: 'broken'; file: string; reason: string };

const FORMAT = 'expected `decision_makers:` with a list of GitHub logins such as "@jdoe"';

/** The list from its text (null: no file). Pure. */
export function parseDecisionMakers(
  text: string | null,
  file = DECISION_MAKERS_FILE,
): DecisionMakers {
  if (text === null) return { status: 'none', file };
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 0, uniqueKeys: true });
  } catch (error) {
    return { status: 'broken', file, reason: `not valid YAML (${firstLine(error)})` };
  }
  const list = isRecord(data) ? data.decision_makers : undefined;
  if (!Array.isArray(list)) return { status: 'broken', file, reason: FORMAT };
  const logins = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== 'string' || !GITHUB_LOGIN.test(entry)) {
      return {
        status: 'broken',
        file,
        reason: `${JSON.stringify(entry)} is not a login: ${FORMAT}`,
      };
    }
    logins.add(entry.toLowerCase());
  }
  return { status: 'ok', file, logins };
}

export function isDecisionMaker(list: DecisionMakers, login: string): boolean {
  return list.status === 'none' || (list.status === 'ok' && list.logins.has(login.toLowerCase()));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
