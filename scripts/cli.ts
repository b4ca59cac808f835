// Entry point: `npm run --silent flags -- <command> [options]`. Parses options, calls the command,
// maps failures to exit codes (0 ok, 1 violations or failed steps, 2 could not evaluate).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Command, CommandContext } from './commands/command.ts';
import { EvaluationError, UsageError } from './core/errors.ts';

// Loaded lazily so a command pays only for its own imports (octokit, actions, ...).
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  validate: () => import('./commands/validate.ts'),
  check: () => import('./commands/check.ts'),
  status: () => import('./commands/status.ts'),
  plan: () => import('./commands/plan.ts'),
  deploy: () => import('./commands/deploy.ts'),
  new: () => import('./commands/new.ts'),
  promote: () => import('./commands/promote.ts'),
  revert: () => import('./commands/revert.ts'),
  codeowners: () => import('./commands/codeowners.ts'),
  refs: () => import('./commands/refs.ts'),
};

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function mainHelp(): Promise<string> {
  const lines = [
    'flags: NovaVMS feature flags as code',
    '',
    'Usage: npm run --silent flags -- <command> [options]',
    '',
    'Commands:',
  ];
  for (const [name, load] of Object.entries(COMMANDS)) {
    try {
      const { command } = await load();
      lines.push(`  ${name.padEnd(11)} ${command.summary}`);
    } catch {
      // A command whose module is not there yet is simply not listed.
    }
  }
  lines.push(
    '',
    'Every command takes --json (one JSON document on stdout) and --help.',
    'Exit status: 0 no error, 1 error violations or a failed step, 2 could not evaluate.',
    '',
    "Run 'npm run --silent flags -- <command> --help' for a command's options.",
  );
  return lines.join('\n') + '\n';
}

export function commandHelp(command: Command): string {
  return `Usage: flags ${command.usage}\n\n${command.summary}\n\n${command.help.trimEnd()}\n`;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout(await mainHelp());
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  try {
    if (!load) throw new UsageError(`unknown command '${name}'; run 'flags --help' for the list`);
    const { command } = await load();
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, ...COMMON_OPTIONS },
        allowPositionals: command.allowPositionals ?? false,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(
        `${(error as Error).message.replace(/\. To specify.*$/s, '')}; run 'flags ${name} --help'`,
      );
    }
    if (parsed.values.help) {
      ctx.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(parsed.values, parsed.positionals, ctx);
  } catch (error) {
    const known = error instanceof UsageError || error instanceof EvaluationError;
    const message = known
      ? error.message
      : `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    ctx.stderr(`flags ${name}: ${message}\n`);
    if (json) {
      const code = error instanceof UsageError ? 'usage' : known ? 'evaluation' : 'internal';
      ctx.stdout(
        JSON.stringify({ ok: false, error: { code, message: firstLine(message) } }) + '\n',
      );
    }
    return 2;
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/**
 * The flags repository a command works on: the nearest folder holding `flags/` or `.git`, up from
 * where the command was typed. npm runs scripts in the package's folder and keeps the caller's
 * folder in INIT_CWD, so `npm run flags` works from a subfolder, and with `--prefix` from another
 * repository.
 */
export function repositoryRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'flags')) || existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export function processContext(): CommandContext {
  return {
    cwd: repositoryRoot(process.env.INIT_CWD ?? process.cwd()) ?? process.cwd(),
    env: process.env,
    clock: () => new Date(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const status = await runCli(process.argv.slice(2), processContext());
  // Let stdout drain (large JSON documents to a pipe) before exiting.
  process.exitCode = status;
}
