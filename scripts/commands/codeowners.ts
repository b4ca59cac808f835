import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkingTree } from '../adapters/fs-flags.ts';
import { CODEOWNERS_LOCATIONS } from '../core/codeowners.ts';
import { withFlagRules } from '../core/codeowners-block.ts';
import { UsageError } from '../core/errors.ts';
import type { Command } from './command.ts';

export const command: Command = {
  name: 'codeowners',
  summary: "Keep CODEOWNERS in step with each flag's owner (--check or --write)",
  usage: 'codeowners --check | --write [--json]',
  help: `The flag files are the source of truth for who owns a flag. CODEOWNERS holds a generated
block (between "# BEGIN flags" and "# END flags") with one rule per team folder, or per file where
a folder mixes owners; rules above the block stay as they are. GitHub applies the last matching
rule, so the generated rules decide for flag files.

Options:
  --check  exit 1 when CODEOWNERS differs from what the flags say (CI)
  --write  rewrite the generated block (creates CODEOWNERS when there is none)
  --json   {ok, file, changed}

Exit status: 0 in step (or written), 1 out of step (--check), 2 could not evaluate.`,
  options: { check: { type: 'boolean' }, write: { type: 'boolean' } },
  run(values, _positionals, ctx) {
    if (Boolean(values.check) === Boolean(values.write)) {
      throw new UsageError('give exactly one of --check or --write');
    }
    const location = CODEOWNERS_LOCATIONS.find((l) => existsSync(join(ctx.cwd, l))) ?? 'CODEOWNERS';
    const path = join(ctx.cwd, location);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const wanted = withFlagRules(current, loadWorkingTree(ctx.cwd).flags);
    const changed = wanted !== current;
    if (values.write && changed) writeFileSync(path, wanted);
    const ok = !(values.check && changed);
    if (values.json) {
      ctx.stdout(JSON.stringify({ ok, file: location, changed }) + '\n');
    } else if (values.check) {
      ctx.stdout(
        changed
          ? `${location} is out of step with the flags' owners: run \`npx flags codeowners --write\` and commit it\n`
          : `${location} is in step with the flags' owners\n`,
      );
    } else {
      ctx.stdout(changed ? `updated ${location}\n` : `${location} already in step\n`);
    }
    return Promise.resolve(ok ? 0 : 1);
  },
};
