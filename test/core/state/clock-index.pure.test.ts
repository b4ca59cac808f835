// The soak-clock index as data: which commit a flag file entered its state at (only a change of
// `state` moves the clock; a move between folders in one commit keeps it), and the index file,
// which must be read back exactly or not at all: a truncated, edited, foreign or other-version
// file would otherwise start soak clocks at the wrong commit.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CLOCK_INDEX_VERSION,
  ClockSnapshot,
  advance,
  parseSnapshot,
  serializeSnapshot,
  type ReplayCommit,
} from '../../../scripts/core/clock-index.ts';
import type { State } from '../../../scripts/core/model.ts';

const sha = (n: number): string => n.toString(16).padStart(40, '0');
/** Blobs named after the state they hold (`beta#2`: a second text at beta); `none`: no state. */
const stateOf = (blob: string): State | null => {
  const state = blob.split('#')[0]!;
  return state === 'none' ? null : (state as State);
};

type Change = ReplayCommit['changes'][number];
const add = (path: string, blob: string): Change => ({ status: 'A', path, newBlob: blob });
const modify = (path: string, blob: string): Change => ({ status: 'M', path, newBlob: blob });
const remove = (path: string): Change => ({ status: 'D', path, newBlob: null });

const T0 = Date.parse('2026-11-01T00:00:00Z');
const commit = (n: number, ...changes: Change[]): ReplayCommit => ({
  sha: sha(n),
  // 900 ms past the second: the index keeps whole seconds, as git's %ct does, never rounded up.
  time: new Date(T0 + n * 3_600_000 + 900),
  changes,
});
const at = (n: number): number => (T0 + n * 3_600_000) / 1000;

const A = 'flags/video/live.yaml';
const B = 'flags/player/live.yaml';

function replay(...commits: ReplayCommit[]): ClockSnapshot {
  return advance(new ClockSnapshot(), commits, stateOf);
}

describe('advance: where each flag file entered its state', () => {
  it('an added flag starts its clock; an edit that keeps the state keeps it; a new state moves it', () => {
    const snap = replay(commit(1, add(A, 'alpha')), commit(2, modify(A, 'alpha#2')));
    expect(snap.get(A)).toEqual({ state: 'alpha', sha: sha(1), at: at(1) });
    advance(snap, [commit(3, modify(A, 'beta'))], stateOf);
    expect(snap.get(A)).toEqual({ state: 'beta', sha: sha(3), at: at(3) });
    expect([...snap.removed]).toEqual([]);
  });

  it('a version without a state keeps the clock before it, and a file that never had one has none', () => {
    const snap = replay(
      commit(1, add(A, 'alpha')),
      commit(2, modify(A, 'none')),
      commit(3, modify(A, 'alpha#2'), add('flags/video/odd.yaml', 'none')),
    );
    expect(snap.get(A)).toEqual({ state: 'alpha', sha: sha(1), at: at(1) });
    expect(snap.get('flags/video/odd.yaml')).toEqual({ state: null, sha: null, at: null });
  });

  it('a move between folders in one commit keeps the clock, and counts as a removed key', () => {
    const snap = replay(commit(1, add(A, 'beta')), commit(2, remove(A), add(B, 'beta#moved')));
    expect([...snap]).toEqual([[B, { state: 'beta', sha: sha(1), at: at(1) }]]);
    expect([...snap.removed]).toEqual(['live']);
  });

  it('a move that also changes the state starts a new clock at the move', () => {
    const snap = replay(commit(1, add(A, 'alpha')), commit(2, add(B, 'beta'), remove(A)));
    expect(snap.get(B)).toEqual({ state: 'beta', sha: sha(2), at: at(2) });
  });

  it('a delete and a re-add in separate commits is a new flag: a new clock', () => {
    const snap = replay(
      commit(1, add(A, 'ga')),
      commit(2, remove(A)),
      commit(3, add(A, 'ga#again')),
    );
    expect(snap.get(A)).toEqual({ state: 'ga', sha: sha(3), at: at(3) });
    expect([...snap.removed]).toEqual(['live']);
  });

  it('an add whose deleted namesake had no clock starts one; another key is no move', () => {
    const snap = replay(
      commit(1, add('flags/video/other.yaml', 'beta')),
      commit(2, remove('flags/video/other.yaml'), remove(B), add(A, 'beta')),
    );
    expect(snap.get(A)).toEqual({ state: 'beta', sha: sha(2), at: at(2) });
    expect([...snap.removed].sort()).toEqual(['live', 'other']);
  });

  it('a change without a new blob drops the file, but only a delete removes a key', () => {
    const snap = replay(
      commit(1, add(A, 'alpha')),
      commit(2, { status: 'T', path: A, newBlob: null }),
    );
    expect(snap.has(A)).toBe(false);
    expect([...snap.removed]).toEqual([]);
  });

  it('ignores files that are not flag files', () => {
    const snap = replay(
      commit(
        1,
        add('README.md', 'alpha'),
        add('flags/video/live.yml', 'alpha'),
        add('flags/notes.txt', 'alpha'),
        add('docs/flags/x.yaml', 'alpha'),
        add('flagsx/x.yaml', 'alpha'),
        add(A, 'alpha'),
      ),
      commit(2, remove('docs/flags/x.yaml'), remove('flags/video/live.yml')),
    );
    expect([...snap.keys()]).toEqual([A]);
    expect([...snap.removed]).toEqual([]);
  });
});

const sum = (text: string): string => createHash('sha256').update(text).digest('hex');
const HEAD = sha(99);
const fileWith = (body: string, commitSha = HEAD, version = CLOCK_INDEX_VERSION): string =>
  `novavms-flags-clock-index ${version} ${commitSha} ${sum(body)}\n${body}`;

describe('the index file', () => {
  const snap = replay(
    commit(1, add(A, 'alpha'), add('flags/video/odd.yaml', 'none')),
    commit(2, add('flags/video/gone.yaml', 'beta')),
    commit(3, remove('flags/video/gone.yaml')),
  );

  it('reads back exactly what was written, for that commit', () => {
    const text = serializeSnapshot(HEAD, snap);
    const back = parseSnapshot(HEAD, text);
    expect(back).toBeInstanceOf(ClockSnapshot);
    expect([...back!]).toEqual([...snap]);
    expect([...back!.removed]).toEqual(['gone']);
    expect(text.split('\n')[0]).toBe(
      `novavms-flags-clock-index ${CLOCK_INDEX_VERSION} ${HEAD} ${sum(text.slice(text.indexOf('\n') + 1))}`,
    );
  });

  it('refuses another commit’s, another version’s, a foreign, an edited or a truncated file', () => {
    const text = serializeSnapshot(HEAD, snap);
    const [header, body] = text.split('\n') as [string, string];
    const bad = {
      'another commit': parseSnapshot(sha(98), text),
      'another version': fileWith(body, HEAD, CLOCK_INDEX_VERSION + 1),
      foreign: `other-tool ${header.split(' ').slice(1).join(' ')}\n${body}`,
      'an extra header field': `${header} x\n${body}`,
      edited: `${header}\n${body.replace('alpha', 'beta')}`,
      truncated: text.slice(0, -1),
      'header alone': header,
    };
    for (const [what, value] of Object.entries(bad)) {
      const got = typeof value === 'string' ? parseSnapshot(HEAD, value) : value;
      expect(got, what).toBeNull();
    }
  });

  it('refuses a body that checks out but does not hold valid entries', () => {
    const row = (...r: unknown[]) => JSON.stringify({ files: [r], removed: [] });
    const bodies: Record<string, string> = {
      'not JSON': '{"files": [',
      null: 'null',
      'files missing': JSON.stringify({ removed: [] }),
      'removed missing': JSON.stringify({ files: [] }),
      'a removed key not a string': JSON.stringify({ files: [], removed: [1] }),
      'a row not an array': JSON.stringify({ files: [{}], removed: [] }),
      'a short row': row(A, 'alpha', sha(1)),
      'a long row': row(A, 'alpha', sha(1), 1, 2),
      'a path not a string': row(1, 'alpha', sha(1), 1),
      'not a flag path': row('README.md', 'alpha', sha(1), 1),
      'not a yaml file': row('flags/video/live.json', 'alpha', sha(1), 1),
      'an unknown state': row(A, 'gamma', sha(1), 1),
      'a sha that is no sha': row(A, 'alpha', 'abc', 1),
      'a sha in capitals': row(A, 'alpha', sha(1).toUpperCase().replace(/0/g, 'A'), 1),
      'a sha with more': row(A, 'alpha', `${sha(1)}0`, 1),
      'a sha not a string': row(A, 'alpha', 1, 1),
      'a sha in a list': row(A, 'alpha', [sha(1)], 1),
      'a time not a number': row(A, 'alpha', sha(1), '1'),
      'a time with a fraction': row(A, 'alpha', sha(1), 1.5),
      'no state but a sha': row(A, null, sha(1), null),
      'no state but a time': row(A, null, null, 1),
    };
    for (const [what, body] of Object.entries(bodies)) {
      expect(parseSnapshot(HEAD, fileWith(body)), what).toBeNull();
    }
  });

  it('takes SHA-256 commit ids, and a file without any clock', () => {
    const sha256Id = 'ab'.repeat(32);
    const body = JSON.stringify({
      files: [
        [A, 'ga', sha256Id, 1_700_000_000],
        ['flags/video/odd.yaml', null, null, null],
      ],
      removed: ['gone'],
    });
    const back = parseSnapshot(HEAD, fileWith(body));
    expect([...back!]).toEqual([
      [A, { state: 'ga', sha: sha256Id, at: 1_700_000_000 }],
      ['flags/video/odd.yaml', { state: null, sha: null, at: null }],
    ]);
    expect([...back!.removed]).toEqual(['gone']);
  });
});
