// How the tests run the GitHub entry scripts (gate, recheck, report) in-process: no write
// pacing, a quiet log, and a fixed clock that every test commit is dated from, so a run is the
// same at any hour.
import type { EntryOptions } from '../../scripts/github/entry.ts';

const DAY = 86_400_000;

export const ENTRY_NOW = new Date('2026-11-24T12:00:00Z');

export const QUIET: EntryOptions = {
  client: { paceWrites: false, retryAfterBaseMs: 1 },
  log: () => {},
  now: ENTRY_NOW,
};

/** A commit date `days` before ENTRY_NOW, as git takes it. */
export const ago = (days: number): string =>
  new Date(ENTRY_NOW.getTime() - days * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
