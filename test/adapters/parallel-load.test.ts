import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTree } from '../../bench/synthetic.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('parsing a large tree on several threads', () => {
  it('gives the same flags, violations and lines as one thread, and really uses workers', () => {
    const dir = writeTree(3200);
    try {
      writeFileSync(
        join(dir, 'flags/video/video-feature-0.yaml'),
        'key: video-feature-0\nstate: nope\nstate: x\n',
      );
      writeFileSync(
        join(dir, 'flags/access/access-feature-3.yaml'),
        'key: access-feature-3\ndescription: d\nowner: "@novalien/access"\nstate: beta\nrevertible: true\ndepends_on: [gone]\n',
      );
      writeFileSync(join(dir, 'flags/video/stray.yml'), 'x: 1\n');
      // Workers need the TypeScript loader, so this runs as the CLI does, in a child process.
      const script = `
        import { listFlagEntries } from './scripts/adapters/fs-flags.ts';
        import { buildFlagSet } from './scripts/core/load.ts';
        import { buildFlagSetParallel, parallelStats } from './scripts/adapters/parallel-load.ts';
        import { staticRules } from './scripts/core/rules/static-rules.ts';
        const entries = listFlagEntries(${JSON.stringify(dir)});
        const one = buildFlagSet(entries);
        const many = await buildFlagSetParallel(entries, { FLAGS_PARSE_THREADS: '3' });
        const view = (s) => ({ keys: s.flags.map((f) => f.file + ':' + f.lineOf(['state'])), v: staticRules(s, null).filter((x) => x.rule !== 'codeowners'), broken: s.brokenFiles });
        console.log(JSON.stringify({ one: view(one), many: view(many), stats: parallelStats }));
      `;
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const { one, many, stats } = JSON.parse(out);
      expect(stats).toEqual({ workerSlices: 2, fallbacks: 0 });
      expect(many).toEqual(one);
      expect(one.keys).toHaveLength(3200 - 1);
      expect(one.v.map((v: any) => v.rule).sort()).toEqual(['dependency-missing', 'file', 'parse']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
