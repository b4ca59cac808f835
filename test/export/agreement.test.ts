// The exported flagd definitions against the real things: flagd's evaluator behind the OpenFeature
// server SDK answers, for every flag and org, what the platform server answers after a deploy of
// the same commit (GET /api/v1/orgs/{org_id}/feature-flags).
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERNAL_ORGS, STATES, stateRank, type State } from '../../scripts/core/model.ts';
import { cleanupRepos, gitRepo, type TestRepo } from '../helpers/git-repo.ts';
import {
  createPlatformClient,
  type PlatformClient,
} from '../../scripts/adapters/platform-client.ts';
import {
  startPlatformServer,
  type PlatformServerHandle,
} from '../../scripts/platform-server/server.ts';
import { seededRandom } from '../helpers/platform-server.ts';
import { flagdClient } from './flagd-client.ts';

const ROOT = join(import.meta.dirname, '../..');
const T0 = '2026-11-01T00:00:00Z';
const at = (hours: number): string =>
  new Date(Date.parse(T0) + hours * 3_600_000).toISOString().replace('.000Z', 'Z');

const PARTNERS = ['harbor-logistics', 'partner-a', 'partner-b'];
const OPT_IN = ['cust-in-1', 'cust-in-2', 'cust-in-3'];
const OPT_OUT = ['cust-out-1', 'cust-out-2'];
/** Opts in, then out: the platform remembers the opt-out. */
const FLIP = 'cust-flip';
const ORGS = [...INTERNAL_ORGS, ...PARTNERS, ...OPT_IN, ...OPT_OUT, FLIP, 'unknown-org'];

interface World {
  repo: TestRepo;
  platform: { url: string; token: string; client: PlatformClient };
  clock: { now: Date };
}

const servers: PlatformServerHandle[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  cleanupRepos();
});

/** The platform server in memory (no data file: thousands of writes need no fsync each). */
async function world(): Promise<World> {
  const clock = { now: new Date(T0) };
  const server = await startPlatformServer({ clock: () => clock.now, port: 0 });
  servers.push(server);
  const client = createPlatformClient({ baseUrl: server.url, token: server.token, retries: 2 });
  return { repo: gitRepo(), platform: { url: server.url, token: server.token, client }, clock };
}

/** `flags <args>` against the platform, with the platform's clock and --now at `when`. */
async function cli(w: World, when: string, args: string[]): Promise<any> {
  w.clock.now = new Date(when);
  const result = await w.repo.cli(
    [...args, '--json', '--platform-url', w.platform.url],
    { PLATFORM_API_TOKEN: w.platform.token },
    w.clock.now,
  );
  expect([args[0], result.status, result.stderr]).toEqual([args[0], 0, '']);
  return result.json;
}

/** Customer choices through the API, a few requests at a time. */
async function choose(w: World, choices: [org: string, key: string, on: boolean][]): Promise<void> {
  for (let i = 0; i < choices.length; i += 16) {
    await Promise.all(
      choices.slice(i, i + 16).map(([org, key, on]) => w.platform.client.setOptIn(org, key, on)),
    );
  }
}

/** Every (flag, org) where the exported file and the platform disagree, and the answers seen. */
async function compare(w: World, keys: readonly string[], domain: string) {
  const exported = await cli(w, w.clock.now.toISOString(), [
    'export',
    '--format',
    'flagd',
    '--out',
    'out/flags.flagd.json',
  ]);
  const text = readFileSync(join(w.repo.dir, 'out/flags.flagd.json'), 'utf8');
  const client = await flagdClient(text, domain);
  const disagreements: string[] = [];
  let on = 0;
  let off = 0;
  for (const org of ORGS) {
    const platformOn = new Set(await w.platform.client.orgFlags(org));
    for (const key of keys) {
      const value = await client.getBooleanValue(key, false, { orgId: org });
      if (value !== platformOn.has(key))
        disagreements.push(`${key} for ${org}: flagd ${value}, platform ${platformOn.has(key)}`);
      if (value) on++;
      else off++;
    }
  }
  return { disagreements, on, off, exported, document: JSON.parse(text) };
}

describe('flagd export agrees with the platform', { timeout: 120_000 }, () => {
  it('for the shipped flags', async () => {
    const w = await world();
    cpSync(join(ROOT, 'flags'), join(w.repo.dir, 'flags'), { recursive: true });
    cpSync(join(ROOT, 'CODEOWNERS'), join(w.repo.dir, 'CODEOWNERS'));
    w.repo.commit(T0, 'the shipped flags');
    await cli(w, at(1), ['deploy', '--now', at(1)]);
    const keys = (await w.platform.client.listFlags()).map((f) => f.key);
    expect(keys.length).toBeGreaterThanOrEqual(6);

    const result = await compare(w, [...keys, 'never-registered'], 'shipped');
    expect(result.disagreements).toEqual([]);
    // Not vacuous: internal orgs and the alpha partner see flags, others do not.
    expect(result.on).toBeGreaterThan(keys.length * INTERNAL_ORGS.length);
    expect(result.off).toBeGreaterThan(0);
    expect(result.document.flags['live-view-webrtc'].metadata).toMatchObject({
      owner: '@novalien/video',
      state: 'alpha',
      since: T0,
      commit: result.exported.commit,
    });
  });

  it('for 1,000 generated flags with mixed states, dependencies, org lists and choices', async () => {
    const w = await world();
    const random = seededRandom(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const teams = ['video', 'platform', 'access', 'analytics'];
    const flags: { key: string; team: string; target: State; deps: string[]; orgs: string[] }[] =
      [];
    for (let i = 0; i < 1000; i++) {
      const deps =
        i > 5 && random() < 0.4
          ? [...new Set([pick(flags).key, ...(random() < 0.3 ? [pick(flags).key] : [])])]
          : [];
      // A flag never stands above a dependency.
      const ceiling = Math.min(
        2,
        ...deps.map((d) => stateRank(flags.find((f) => f.key === d)!.target)),
      );
      const target = STATES[Math.floor(random() * (ceiling + 1))]!;
      const orgs =
        random() < 0.35
          ? [...new Set([pick(PARTNERS), ...(random() < 0.2 ? [INTERNAL_ORGS[0]] : [])])]
          : [];
      flags.push({ key: `gen-${i}-${pick(teams)}`, team: pick(teams), target, deps, orgs });
    }
    const write = (ceiling: State): void => {
      for (const f of flags) {
        w.repo.flag(f.team, {
          key: f.key,
          state: STATES[Math.min(stateRank(f.target), stateRank(ceiling))],
          ...(f.deps.length ? { depends_on: f.deps } : {}),
          ...(f.orgs.length
            ? {
                alpha_orgs: f.orgs.map((org) =>
                  org.startsWith('novalien') ? { org } : { org, preview_agreement: 'PA-2026-015' },
                ),
              }
            : {}),
        });
      }
    };
    // A history that passes the gate, one state at a time after each soak; the deploy replays it.
    write('alpha');
    w.repo.commit(T0, 'every flag at alpha');
    write('beta');
    w.repo.commit(at(25), 'promote to beta');
    write('ga');
    // Flags removed from the repository are archived by the deploy and absent from the export.
    const dependedOn = new Set(flags.flatMap((f) => f.deps));
    const removed = flags
      .filter((f) => f.target === 'alpha' && !dependedOn.has(f.key))
      .slice(0, 5)
      .map((f) => f.key);
    for (const key of removed) {
      const f = flags.find((g) => g.key === key)!;
      w.repo.remove(`flags/${f.team}/${key}.yaml`);
    }
    w.repo.commit(at(100), 'promote to ga, remove five alpha flags');
    // A fresh platform: the repository's history is the witness (deploy's --adopt).
    await cli(w, at(101), ['deploy', '--adopt', '--now', at(101), '--concurrency', '16']);

    const live = new Set((await w.platform.client.listFlags()).map((f) => f.key));
    expect(live.size).toBe(1000 - removed.length);
    const offered = flags.filter((f) => f.target !== 'alpha' && live.has(f.key));
    const choices: [string, string, boolean][] = [];
    for (const f of offered) {
      for (const org of OPT_IN) if (random() < 0.5) choices.push([org, f.key, true]);
      for (const org of OPT_OUT) if (random() < 0.5) choices.push([org, f.key, false]);
      if (random() < 0.3) choices.push([FLIP, f.key, true], [FLIP, f.key, false]);
      if (random() < 0.2) choices.push([pick(PARTNERS), f.key, false]);
    }
    await choose(w, choices);
    w.clock.now = new Date(at(102));

    const result = await compare(w, [...flags.map((f) => f.key)], 'generated');
    expect(result.disagreements).toEqual([]);
    for (const key of removed) expect(result.document.flags[key]).toBeUndefined();
    expect(Object.keys(result.document.flags)).toHaveLength(1000 - removed.length);
    const states = new Set(Object.values(result.document.flags).map((f: any) => f.metadata.state));
    expect([...states].sort()).toEqual(['alpha', 'beta', 'ga']);
    expect(result.on).toBeGreaterThan(1000);
    expect(result.off).toBeGreaterThan(1000);
  }, 240_000);
});
