// The store: writes applied in order on the latest state, answered only once durable, saved in
// groups, and undone together when a save fails; each write changes the state in place.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookupIdempotency } from '../../scripts/platform-server/idempotency.ts';
import {
  applyStateChange,
  putFlag,
  setOrgEnabled,
} from '../../scripts/platform-server/operations.ts';
import { parseState, serializeState } from '../../scripts/platform-server/persistence.ts';
import type { PlatformState, StateChange } from '../../scripts/platform-server/state.ts';
import { PlatformStore, type SaveFunction } from '../../scripts/platform-server/store.ts';

const ctx = { now: new Date('2026-11-24T12:00:00Z'), actor: 'test' };
const register = (key: string) => (state: PlatformState) => ({
  change: putFlag(state, key, { description: 'd', owner: '@o', depends_on: [] }, ctx).change,
  value: key,
});
const keysOf = (state: PlatformState): string[] => Object.keys(state.flags).sort();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'platform-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PlatformStore', () => {
  it('in memory: applies sequential and concurrent writes, in order', async () => {
    const store = await PlatformStore.open();
    expect(await store.write(register('a'))).toBe('a');
    expect(await store.write(register('b'))).toBe('b');
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    expect(await Promise.all(keys.map((k) => store.write(register(k))))).toEqual(keys);
    expect(keysOf(store.state)).toHaveLength(52);
    expect(store.state.platform_audit.map((e) => e.flag)).toEqual(['a', 'b', ...keys]);
  });

  it('shows reads a write only once it is on disk, and the file holds it then', async () => {
    const file = join(dir, 'p.json');
    const store = await PlatformStore.open(file);
    const pending = store.write(register('a'));
    expect(keysOf(store.state)).toEqual([]);
    await pending;
    expect(keysOf(store.state)).toEqual(['a']);
    expect(keysOf(parseState(await readFile(file, 'utf8'), file))).toEqual(['a']);
  });

  it('answers a write that changes nothing only after the writes it saw are durable', async () => {
    const store = await PlatformStore.open(join(dir, 'p.json'));
    const order: string[] = [];
    const first = store.write(register('a')).then(() => order.push('a'));
    const unchanged = store
      .write((state) => ({ change: null, value: Object.keys(state.flags) }))
      .then((seen) => {
        order.push('unchanged');
        expect(keysOf(store.state)).toEqual(['a']);
        return seen;
      });
    expect(await unchanged).toEqual(['a']);
    await first;
    expect(order).toEqual(['a', 'unchanged']);
  });

  it('rejects only the write whose update throws', async () => {
    const store = await PlatformStore.open(join(dir, 'p.json'));
    const results = await Promise.allSettled([
      store.write(register('a')),
      store.write(() => {
        throw new Error('boom');
      }),
      store.write(register('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(keysOf(store.state)).toEqual(['a', 'b']);
  });

  it('undoes and rejects every write not yet durable when a save fails, then recovers', async () => {
    const dataDir = join(dir, 'data');
    const file = join(dataDir, 'p.json');
    const store = await PlatformStore.open(file);
    await store.write(register('kept'));
    await rm(dataDir, { recursive: true });
    await writeFile(dataDir, 'now a file');
    const results = await Promise.allSettled(['x', 'y', 'z'].map((k) => store.write(register(k))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(keysOf(store.state)).toEqual(['kept']);
    await rm(dataDir);
    await mkdir(dataDir);
    await store.write(register('after'));
    expect(keysOf(store.state)).toEqual(['after', 'kept']);
    expect(keysOf(parseState(await readFile(file, 'utf8'), file))).toEqual(['after', 'kept']);
  });

  it('changes the stored records in place: a write copies neither them nor the state', async () => {
    const store = await PlatformStore.open(join(dir, 'p.json'));
    await store.write(register('first'));
    const { flags, platform_audit: audit, idempotency } = store.state;
    const seen = new Set<PlatformState>();
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (const batch of [keys.slice(0, 10), keys.slice(10)]) {
      await Promise.all(
        batch.map((k) =>
          store.write((state) => {
            seen.add(state);
            return register(k)(state);
          }),
        ),
      );
    }
    // Every write was given the same pending state, and reads still see the same records.
    expect(seen.size).toBe(1);
    expect(store.state.flags).toBe(flags);
    expect(store.state.platform_audit).toBe(audit);
    expect(store.state.idempotency).toBe(idempotency);
    expect(keysOf(store.state)).toEqual(['first', ...keys].sort());
    expect(audit.map((e) => e.id)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('after a failed save, holds exactly the durable state: every change of the batch undone', async () => {
    let saves = 0;
    let started!: () => void;
    const failing = new Promise<void>((resolve) => (started = resolve));
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const save: SaveFunction = async (file, state) => {
      const text = serializeState(state);
      if (++saves === 2) {
        started();
        await failed;
      }
      await writeFile(file, text);
    };
    const file = join(dir, 'p.json');
    const store = await PlatformStore.open(file, save);
    await store.write(register('kept'));
    const before = serializeState(store.state);
    expect(await readFile(file, 'utf8')).toBe(before);

    // One batch: a new flag, a state change, an org enable, each with an idempotency record.
    const writes: ((state: PlatformState) => StateChange | null)[] = [
      (s) => putFlag(s, 'x', { description: 'd', owner: '@o', depends_on: [] }, ctx).change,
      (s) => applyStateChange(s, 'kept', 'beta', ctx).change,
      (s) => setOrgEnabled(s, 'acme', 'kept', true, ctx).change,
      (s) => putFlag(s, 'kept', { description: 'new', owner: '@o', depends_on: [] }, ctx).change,
    ];
    const keyed = (i: number, change: StateChange | null): StateChange => ({
      ...change,
      idempotency: {
        scope: `k${i}`,
        fingerprint: 'f',
        status: 200,
        body: i,
        at: ctx.now.toISOString(),
      },
    });
    const batch = writes.map((w, i) => store.write((s) => ({ change: keyed(i, w(s)), value: i })));
    await failing;
    // Arrives while the failing save runs, applied on top of the lost writes: it goes too.
    const late = store.write((s) => ({
      change: keyed(9, setOrgEnabled(s, 'b', 'x', true, ctx).change),
      value: 9,
    }));
    fail(new Error('disk full'));
    const results = await Promise.allSettled([...batch, late]);
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    expect(serializeState(store.state)).toBe(before);
    expect(await readFile(file, 'utf8')).toBe(before);

    // The state writes now apply to is the durable one again, not the lost writes'.
    const pending = await store.write((s) => ({ change: null, value: serializeState(s) }));
    expect(pending).toBe(before);
    const again = await store.write((s) => {
      expect(lookupIdempotency(s.idempotency, 'k0', 'f', ctx.now).kind).toBe('new');
      const applied = putFlag(s, 'x', { description: 'd', owner: '@o', depends_on: [] }, ctx);
      return { change: keyed(0, applied.change), value: applied };
    });
    expect(again.status).toBe(201);
    expect(again.audit.map((e) => e.id)).toEqual([2]);
    expect(keysOf(store.state)).toEqual(['kept', 'x']);
    expect(store.state.flags.kept).toMatchObject({
      state: 'alpha',
      orgs_enabled: [],
      description: 'd',
    });
    expect(store.state.idempotency.records().map((r) => r.scope)).toEqual(['k0']);
    expect(await readFile(file, 'utf8')).toBe(serializeState(store.state));
  });
});
