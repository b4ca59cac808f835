// The data file's lock within one process (two processes: platform-process.test.ts): a second
// server on the same file is refused until the first one closes, and a failed start leaves no
// lock behind.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileInUseError, lockPathOf } from '../../scripts/platform-server/data-lock.ts';
import { PlatformDataError } from '../../scripts/platform-server/persistence.ts';
import { startPlatformServer } from '../../scripts/platform-server/server.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'platform-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the data file lock', () => {
  it('refuses a second server in the same process until the first one closes', async () => {
    const dataFile = join(dir, 'one', 'platform.json');
    const first = await startPlatformServer({ dataFile });
    const refused = await startPlatformServer({ dataFile }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DataFileInUseError);
    expect((refused as Error).message).toBe(
      `data file ${dataFile} is in use by process ${process.pid} (lock ${lockPathOf(dataFile)}); stop that server first, or use another --data file`,
    );
    await first.close();
    expect(existsSync(lockPathOf(dataFile))).toBe(false);
    const second = await startPlatformServer({ dataFile });
    await second.close();
  });

  it('releases the lock when the start fails after taking it', async () => {
    const dataFile = join(dir, 'damaged.json');
    await writeFile(dataFile, 'not json');
    await expect(startPlatformServer({ dataFile })).rejects.toBeInstanceOf(PlatformDataError);
    expect(existsSync(lockPathOf(dataFile))).toBe(false);
    const taken = await startPlatformServer({ dataFile: join(dir, 'port.json') });
    await expect(
      startPlatformServer({ dataFile: join(dir, 'other.json'), port: taken.port }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(existsSync(lockPathOf(join(dir, 'other.json')))).toBe(false);
    await taken.close();
  });

  it('never reads a lock file it cannot parse as stale: the file might be in use', async () => {
    const dataFile = join(dir, 'garbled.json');
    await writeFile(lockPathOf(dataFile), 'garbage');
    await expect(startPlatformServer({ dataFile })).rejects.toThrow(
      /in use by another process \(its lock file cannot be read\)/,
    );
  });
});
