// Deploy reads which flags the repository once had (and may archive) from the soak-clock index:
// on a generated history of promotions, moves between folders, removals and re-additions, with
// real deploys along the way, every plan with the index equals the plan with FLAGS_CLOCK_INDEX=off
// (the walk of all history), and the runs leave snapshots of the commits they deployed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.ts';
import { at, closeWorlds, deployWorld } from '../deploy/setup.ts';

const saved = process.env.FLAGS_CLOCK_INDEX;
afterEach(async () => {
  if (saved === undefined) delete process.env.FLAGS_CLOCK_INDEX;
  else process.env.FLAGS_CLOCK_INDEX = saved;
  await closeWorlds();
});

const T0 = '2026-11-01T00:00:00Z';
const KEYS = ['k-a', 'k-b', 'k-c', 'k-d', 'k-e', 'k-f'];
const TEAMS = ['video', 'access'];
const NEXT: Record<string, string> = { alpha: 'beta', beta: 'ga' };

describe('deploy with the soak-clock index', () => {
  it('plans exactly as with the index off, on a generated history with removals', async () => {
    const w = await deployWorld();
    const random = seededRandom(41);
    const live = new Map<string, { team: string; state: string }>();
    for (const key of KEYS.slice(0, 4)) {
      live.set(key, { team: 'video', state: 'alpha' });
      w.repo.flag('video', { key });
    }
    w.repo.commit(T0);
    let hour = 0;
    let removals = 0;
    let compared = 0;
    let archives = 0;
    for (let step = 0; step < 24; step++) {
      hour += 30;
      const key = KEYS[Math.floor(random() * KEYS.length)]!;
      const flag = live.get(key);
      const roll = random();
      if (!flag) {
        live.set(key, { team: TEAMS[step % 2]!, state: 'alpha' }); // added, or re-added
        w.repo.flag(live.get(key)!.team, { key });
      } else if (roll < 0.25) {
        w.repo.remove(`flags/${flag.team}/${key}.yaml`);
        live.delete(key);
        removals++;
      } else if (roll < 0.45) {
        const team = flag.team === 'video' ? 'access' : 'video';
        w.repo.move(`flags/${flag.team}/${key}.yaml`, `flags/${team}/${key}.yaml`);
        flag.team = team;
      } else if (NEXT[flag.state]) {
        flag.state = NEXT[flag.state]!;
        w.repo.flag(flag.team, { key, state: flag.state });
      } else {
        w.repo.flag(flag.team, { key, state: flag.state, description: `Edit ${step}.` });
      }
      w.repo.commit(at(T0, hour));
      if (step % 3 !== 2) continue;
      // The plan both ways (a plan changes nothing), then a real deploy with the index.
      const when = at(T0, hour + 1);
      process.env.FLAGS_CLOCK_INDEX = 'off';
      const walked = await w.run('plan', when);
      delete process.env.FLAGS_CLOCK_INDEX;
      const indexed = await w.run('plan', when);
      expect(indexed.status, `step ${step}`).toBe(walked.status);
      expect(indexed.json, `step ${step}`).toEqual(walked.json);
      compared++;
      archives += (indexed.json.steps as { id: string }[]).filter((s) =>
        s.id.endsWith(':archive'),
      ).length;
      await w.deploy(when, ['--adopt']);
    }
    expect(compared).toBe(8);
    expect(removals).toBeGreaterThan(1);
    expect(archives, 'plans that archive a removed flag').toBeGreaterThan(0);
    // Only deploy's removed keys read the index here: its snapshots prove deploy used it.
    const index = readdirSync(join(w.repo.dir, '.git/flags-clock-index'));
    expect(index.filter((n) => n.endsWith('.clocks')).length).toBeGreaterThan(0);
  }, 300_000); // git processes and a server on a shared machine: no race, only a bound
});
