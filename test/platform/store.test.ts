// The store: writes applied in order on the latest state, answered only once durable, saved in
// groups, and undone together when a save fails.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { putFlag } from '../../scripts/platform-server/operations.ts';
import { parseState } from '../../scripts/platform-server/persistence.ts';
import type { PlatformState } from '../../scripts/platform-server/state.ts';
import { PlatformStore } from '../../scripts/platform-server/store.ts';

const ctx = { now: new Date('2026-11-24T12:00:00Z'), actor: 'test' };
const register = (key: string) => (state: PlatformState) => ({
  next: putFlag(state, key, { description: 'd', owner: '@o', depends_on: [] }, ctx).state,
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
      .write((state) => ({ next: state, value: Object.keys(state.flags) }))
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
});
