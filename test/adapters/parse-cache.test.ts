// The parse cache (scripts/adapters/parse-cache.ts) gives the answers a parse gives: the flag sets
// of commits read with it, cold and warm, equal those read without it, lines included; and a
// cache file that is damaged, edited, of another parser or naming another file is never used.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect, isDeepStrictEqual } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitRepo } from '../../scripts/adapters/git.ts';
import {
  fingerprintOf,
  parseKnown,
  parserFingerprint,
  serializeKnown,
  survivesJson,
} from '../../scripts/adapters/parse-cache.ts';
import { readFlagSets } from '../../scripts/adapters/repo-at-commits.ts';
import type { Flag, FlagSet } from '../../scripts/core/model.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import { seededRandom } from '../helpers/random.ts';

const ROOT = pathToFileURL(join(import.meta.dirname, '../../'));
const saved = process.env.FLAGS_PARSE_CACHE;
beforeEach(() => delete process.env.FLAGS_PARSE_CACHE);
afterEach(() => {
  if (saved === undefined) delete process.env.FLAGS_PARSE_CACHE;
  else process.env.FLAGS_PARSE_CACHE = saved;
  cleanupRepos();
});

/** Flag files of many shapes: clean ones, ones only `yaml` reads, broken ones, non-flags. */
function writeFlags(repo: TestRepo, random: () => number, round: number): void {
  for (let i = 0; i < 40; i++) {
    const key = `f-${i}`;
    const state = ['alpha', 'beta', 'ga'][Math.floor(random() * 3)]!;
    const lines = [
      `# round ${round}`,
      `key: ${key}`,
      `description: "Feature ${i}, round ${Math.floor(random() * 3)}."`,
      `owner: "@novalien/video"`,
      `state: ${state}`,
      'revertible: true',
    ];
    const shape = Math.floor(random() * 6);
    if (shape === 1) lines.push('alpha_orgs:', '  - org: novalien-test');
    if (shape === 2) lines.splice(2, 1, 'description: &d "anchored, so yaml reads it"');
    if (shape === 3) lines.push('state: twice'); // a duplicate key: a parse violation
    if (shape === 4) lines[1] = 'key: not-the-file-name';
    if (shape === 5) lines.push('unknown_field: 1');
    repo.write(`flags/video/${key}.yaml`, lines.join('\n') + '\n');
  }
  repo.write('flags/video/notes.txt', 'not a flag\n');
}

/** Everything a rule can read of a set, lines of every flag's fields included. */
function visible(set: FlagSet): unknown {
  return {
    flags: set.flags.map((f) => ({
      file: f.file,
      flag: f.flag,
      lines: [[], ['key'], ['state'], ['description'], ['alpha_orgs', 0]].map((p) => f.lineOf(p)),
    })),
    violations: set.violations,
    brokenFiles: set.brokenFiles,
  };
}

async function setsAt(dir: string, commits: string[], cache: 'on' | 'off'): Promise<unknown[]> {
  if (cache === 'off') process.env.FLAGS_PARSE_CACHE = 'off';
  else delete process.env.FLAGS_PARSE_CACHE;
  const git = new GitRepo(dir);
  const trees = await Promise.all(commits.map((c) => git.listTree(c)));
  return (await readFlagSets(git, trees)).sets.map(visible);
}

describe('the parse cache', () => {
  it('answers as a parse does, cold and warm, at every commit of a generated history', async () => {
    const repo = gitRepo();
    const random = seededRandom(17);
    const commits: string[] = [];
    for (let round = 0; round < 6; round++) {
      writeFlags(repo, random, round);
      commits.push(repo.commit(`2026-11-2${round}T10:00:00Z`));
    }
    const cacheFile = join(repo.dir, '.git/flags-parse-cache/flags.json');
    for (let i = 1; i < commits.length; i++) {
      const pair = [commits[i - 1]!, commits[i]!];
      const expected = await setsAt(repo.dir, pair, 'off');
      expect(await setsAt(repo.dir, pair, 'on'), `cold or partly warm at ${i}`).toEqual(expected);
      expect(await setsAt(repo.dir, pair, 'on'), `warm at ${i}`).toEqual(expected);
    }
    // It was used: the file holds the clean flags, and only them.
    const kept = parseKnown(readFileSync(cacheFile), parserFingerprint()!);
    expect(kept?.size).toBeGreaterThan(40);
    for (const [key, flag] of kept!)
      expect(key.startsWith(`flags/video/${flag.key}.yaml\0`)).toBe(true);
  });

  it('serves a kept flag instead of parsing: proved by a kept answer the file does not hold', async () => {
    const repo = gitRepo();
    writeFlags(repo, seededRandom(3), 0);
    const head = repo.commit('2026-11-24T10:00:00Z');
    await setsAt(repo.dir, [head], 'on');
    const cacheFile = join(repo.dir, '.git/flags-parse-cache/flags.json');
    const fingerprint = parserFingerprint()!;
    const rows = [...parseKnown(readFileSync(cacheFile), fingerprint)!].map(([key, flag]) => {
      const [path, blob] = key.split('\0') as [string, string];
      return [path, blob, { ...flag, description: 'FROM THE CACHE' }] as [string, string, Flag];
    });
    const descriptions = async (): Promise<string[]> =>
      ((await setsAt(repo.dir, [head], 'on'))[0] as { flags: { flag: Flag }[] }).flags.map(
        (f) => f.flag.description,
      );
    // Written by this parser, intact: served (whoever can write .git can change any answer).
    writeFileSync(cacheFile, serializeKnown(rows, fingerprint));
    expect(await descriptions()).toContain('FROM THE CACHE');
    // The same rows with one byte changed, or of another parser: never served.
    const text = serializeKnown(rows, fingerprint).toString('utf8');
    for (const bad of [
      text.replace('FROM THE CACHE', 'FROM THE CACHF'),
      serializeKnown(rows, 'f'.repeat(64)),
      text.slice(0, -10),
      '',
    ]) {
      writeFileSync(cacheFile, bad);
      expect(await descriptions()).not.toContain('FROM THE CACHE');
    }
  });

  it('reads no bytes of a kept file until a rule asks a line, then the right line', async () => {
    const repo = gitRepo();
    writeFlags(repo, seededRandom(5), 0);
    // Every file's fields on other lines: a line read from the wrong file's bytes would show.
    for (let i = 0; i < 12; i++) {
      const orgs = i % 2 ? ['alpha_orgs:', '  - org: novalien-test'] : [];
      const lines = ['key: g-' + i, 'description: G.', 'owner: "@novalien/video"', 'state: beta'];
      repo.write(
        `flags/video/g-${i}.yaml`,
        [
          '# note'.repeat(1),
          ...Array<string>(i).fill('# more'),
          ...lines,
          'revertible: true',
          ...orgs,
          '',
        ].join('\n'),
      );
    }
    const head = repo.commit('2026-11-24T10:00:00Z');
    const cold = new GitRepo(repo.dir);
    const first = await readFlagSets(cold, [await cold.listTree(head)]);
    const warm = new GitRepo(repo.dir);
    const second = await readFlagSets(warm, [await warm.listTree(head)]);
    const clean = new Set(first.sets[0]!.flags.map((f) => f.file));
    expect(clean.size).toBeGreaterThan(5);
    // Kept files come without their bytes (git never read them); every other file with them.
    for (const entry of second.entries[0]!) {
      if (entry.kind !== 'file' || !entry.path.endsWith('.yaml')) continue;
      expect(entry.content === undefined, entry.path).toBe(clean.has(entry.path));
    }
    // Their lines, asked one by one (one file, then all at once), are the lines of a parse.
    for (const [i, f] of second.sets[0]!.flags.entries()) {
      const parsed = first.sets[0]!.flags[i]!;
      expect(f.file).toBe(parsed.file);
      for (const path of [['state'], ['key'], ['alpha_orgs', 0]])
        expect(f.lineOf(path), `${f.file} ${path.join('.')}`).toBe(parsed.lineOf(path));
    }
    // A caller that parses the entries again gets every file's bytes.
    const full = new GitRepo(repo.dir);
    const withBytes = await readFlagSets(full, [await full.listTree(head)], { contents: true });
    for (const entry of withBytes.entries[0]!)
      if (entry.kind === 'file') expect(entry.content, entry.path).toBeDefined();
  });

  it('refuses rows that name another file than their flag, and malformed files', () => {
    const fp = 'a'.repeat(64);
    const flag = { key: 'f-1', description: 'd', owner: '@o/t', state: 'alpha', revertible: true };
    const good = serializeKnown([['flags/t/f-1.yaml', 'b'.repeat(40), flag as Flag]], fp);
    expect(parseKnown(good, fp)?.size).toBe(1);
    expect(parseKnown(good, 'c'.repeat(64))).toBeNull();
    expect(
      parseKnown(serializeKnown([['flags/t/f-2.yaml', 'b'.repeat(40), flag as Flag]], fp), fp),
    ).toBeNull();
    expect(
      parseKnown(serializeKnown([['flags/t/f-1.yaml', 'not-a-blob', flag as Flag]], fp), fp),
    ).toBeNull();
    expect(parseKnown(Buffer.from(good.toString('utf8').replace('\n', ' \n')), fp)).toBeNull();
  });

  it('has a fingerprint that changes with the schema and the parser sources', () => {
    const copy = mkdtempSync(join(tmpdir(), 'flags-fingerprint-'));
    try {
      for (const dir of ['schema', 'scripts/core'])
        cpSync(new URL(dir, ROOT), join(copy, dir), { recursive: true });
      cpSync(new URL('package-lock.json', ROOT), join(copy, 'package-lock.json'));
      const root = pathToFileURL(`${copy}/`);
      const before = fingerprintOf(root);
      expect(before).toBe(parserFingerprint());
      for (const file of ['schema/flag.schema.json', 'scripts/core/quick-yaml.ts']) {
        const text = readFileSync(join(copy, file), 'utf8');
        writeFileSync(join(copy, file), `${text}\n`);
        expect(fingerprintOf(root), file).not.toBe(before);
        writeFileSync(join(copy, file), text);
      }
      expect(fingerprintOf(root)).toBe(before);
      rmSync(join(copy, 'scripts/core/model.ts'));
      expect(fingerprintOf(root)).toBeNull();
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('keeps only flags JSON carries unchanged', () => {
    const flag = { key: 'f', description: 'd', owner: '@o/t', state: 'alpha', revertible: true };
    expect(survivesJson(flag as Flag)).toBe(true);
    expect(survivesJson({ ...flag, plan: undefined } as unknown as Flag)).toBe(false);
    expect(survivesJson({ ...flag, n: Number.NaN } as unknown as Flag)).toBe(false);
    expect(survivesJson({ ...flag, at: new Date(0) } as unknown as Flag)).toBe(false);
  });

  it('answers as a JSON round trip does, for every kind of value JSON changes or keeps', () => {
    // The reference: the round trip the walker stands in for (it throws on a bigint or a cycle).
    const roundTrips = (value: unknown): boolean => {
      try {
        return isDeepStrictEqual(JSON.parse(JSON.stringify(value)) as unknown, value);
      } catch {
        return false;
      }
    };
    class Thing {
      a = 1;
    }
    class List extends Array<unknown> {}
    const leaves: (() => unknown)[] = [
      () => null,
      () => true,
      () => 'text',
      () => '\ud800 lone half',
      () => 0,
      () => -0,
      () => 2.5e300,
      () => Number.NaN,
      () => Number.POSITIVE_INFINITY,
      () => undefined,
      () => () => 1,
      () => Symbol('s'),
      () => 10n,
      () => new Date(0),
      () => new Map([[1, 2]]),
      () => Object.create(null) as unknown,
      () => new Thing(),
      () => /re/,
      () => List.from([1]),
    ];
    const random = seededRandom(17);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const value = (depth: number): unknown => {
      const kind = depth > 2 ? 0 : Math.floor(random() * 4);
      if (kind === 0) return pick(leaves)();
      const size = Math.floor(random() * 3);
      if (kind === 1) {
        const list: unknown[] = Array.from({ length: size }, () => value(depth + 1));
        const twist = random();
        if (twist < 0.1)
          list.length += 1; // a hole at the end
        else if (twist < 0.2) (list as unknown as Record<string, unknown>).extra = 1;
        else if (twist < 0.25) {
          // a hole and a named property: as many keys as the length
          list.length = 0;
          list[1] = null;
          (list as unknown as Record<string, unknown>).extra = 1;
        }
        return list;
      }
      const object: Record<string | symbol, unknown> = {};
      for (let i = 0; i < size; i++) object[pick(['a', 'b', '__proto__x', '1'])] = value(depth + 1);
      const twist = random();
      if (twist < 0.05) object[Symbol('k')] = 1;
      else if (twist < 0.1) Object.defineProperty(object, 'hidden', { value: undefined });
      else if (twist < 0.15)
        object.self = object; // a cycle
      else if (twist < 0.2) object.toJSON = () => 'other';
      else if (kind === 3) {
        const shared = { same: [1] };
        object.left = shared;
        object.right = shared; // the same object twice is not a cycle
      }
      return object;
    };
    let kept = 0;
    for (let i = 0; i < 3000; i++) {
      const v = { key: 'f', value: value(0) };
      expect(survivesJson(v as unknown as Flag), `case ${i}: ${inspect(v)}`).toBe(roundTrips(v));
      if (roundTrips(v)) kept++;
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(kept).toBeGreaterThan(300);
    expect(kept).toBeLessThan(2700);
  });
});
