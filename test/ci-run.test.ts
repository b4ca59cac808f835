// .ci/run runs the README's `npm test` (extra arguments only add the JSON report), so what CI runs
// and what an engineer runs cannot drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const script = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
const commands = script
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

describe('.ci/run', () => {
  it('runs the tests through npm test, passing the reporters through', () => {
    const tests = commands.filter((line) => /\b(vitest|npm test)\b/.test(line));
    expect(tests).toEqual([expect.stringMatching(/^npm test -- .*--reporter=json/)]);
    expect(script).toContain('echo "${passed} passed, ${failed} failed"');
  });

  it('installs with npm ci, which builds the flags bin', () => {
    expect(commands).toContain('step "npm ci" npm ci --no-audit --no-fund');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.scripts.prepare).toBe('node bin/build.js');
    expect(pkg.bin).toEqual({ flags: 'bin/flags.js' });
  });
});
