import { colourEnabled, countSummary, renderViolations, style } from '../adapters/terminal.ts';
import { loadWorkingTree, readCodeowners } from '../adapters/fs-flags.ts';
import { hasErrors } from '../core/model.ts';
import { sortViolations, staticRules } from '../core/rules/static-rules.ts';
import type { Command } from './command.ts';

export const command: Command = {
  name: 'validate',
  summary: 'Check the flag files in the working tree against every rule that needs no history',
  usage: 'validate [--json]',
  help: `Reads every file under flags/ and applies the rules that need no history: parse, file,
schema, key-mismatch, duplicate-key, dependency-missing, dependency-cycle, dependency-order,
revertible, alpha-org and codeowners. Problems are listed per file as file:line.

Options:
  --json   one JSON document on stdout: {ok, flags, violations}
  --help   this text

Exit status: 0 no error (warnings allowed), 1 at least one error, 2 could not evaluate.`,
  options: {},
  run(values, _positionals, ctx) {
    const set = loadWorkingTree(ctx.cwd);
    const violations = sortViolations(staticRules(set, readCodeowners(ctx.cwd)));
    const ok = !hasErrors(violations);
    if (values.json) {
      ctx.stdout(JSON.stringify({ ok, flags: set.flags.length, violations }, null, 2) + '\n');
    } else {
      const s = style(colourEnabled(ctx.env, ctx.isTTY));
      if (violations.length > 0) ctx.stdout(renderViolations(violations, s) + '\n');
      ctx.stdout(
        ok
          ? `${s.green('✓')} ${set.flags.length} flags valid${violations.length ? ` (${countSummary(violations)})` : ''}\n`
          : `${s.red('✗')} ${countSummary(violations)} (${set.flags.length} flags loaded)\n`,
      );
    }
    return Promise.resolve(ok ? 0 : 1);
  },
};
