// The `state` of a flag file's text, for walking history fast. Most files have one top-level
// `state: x` line; anything less plain is parsed properly.
import { parse } from 'yaml';
import { STATES, type State } from './model.ts';

const STATE_LINE = /^state:[ \t]*(["']?)(alpha|beta|ga)\1[ \t]*(?:#.*)?$/gm;
const states: ReadonlySet<string> = new Set(STATES);

export function stateOfText(text: string): State | null {
  const matches = [...text.matchAll(STATE_LINE)];
  if (matches.length === 1 && !text.includes('\n---') && !text.startsWith('---'))
    return matches[0]![2] as State;
  try {
    const data: unknown = parse(text, { maxAliasCount: 50, uniqueKeys: false });
    const state =
      data && typeof data === 'object' ? (data as Record<string, unknown>).state : undefined;
    return typeof state === 'string' && states.has(state) ? (state as State) : null;
  } catch {
    return null;
  }
}
