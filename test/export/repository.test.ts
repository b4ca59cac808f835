// This repository's own generated files are what its flags say (the gate runs the same check).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../scripts/cli.ts';

describe('the committed generated files', () => {
  it('are up to date with the flags at HEAD', async () => {
    let stdout = '';
    const status = await runCli(['export', '--check', '--json'], {
      cwd: join(import.meta.dirname, '../..'),
      env: {},
      clock: () => new Date('2026-11-24T12:00:00Z'),
      stdout: (t) => (stdout += t),
      stderr: () => {},
      isTTY: false,
    });
    const result = JSON.parse(stdout);
    expect(result.files.map((f: any) => `${f.path} ${f.status}`)).toEqual([
      'generated/openfeature-manifest.json fresh',
      'generated/flags.ts fresh',
    ]);
    expect(status).toBe(0);
  });
});
