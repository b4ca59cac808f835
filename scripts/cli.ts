// Entry point: `npx flags <command> [options]` (bin/flags.js) or `npm run --silent flags -- ...`.
// Parses options, calls the command, maps failures to exit codes (0 ok, 1 violations or failed
// steps, 2 could not evaluate).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Command, CommandContext, OptionValues } from './commands/command.ts';
import { didYouMean } from './core/did-you-mean.ts';
import { EvaluationError, UsageError } from './core/errors.ts';

/** How people run the tool; every hint and example uses it. */
export const FLAGS = 'npx flags';

// Loaded lazily so a command pays only for its own imports (octokit, actions, ...).
// A new command is one line here, and its summary one line in SUMMARIES.
export const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  validate: () => import('./commands/validate.ts'),
  check: () => import('./commands/check.ts'),
  status: () => import('./commands/status.ts'),
  plan: () => import('./commands/plan.ts'),
  deploy: () => import('./commands/deploy.ts'),
  new: () => import('./commands/new.ts'),
  promote: () => import('./commands/promote.ts'),
  revert: () => import('./commands/revert.ts'),
  codeowners: () => import('./commands/codeowners.ts'),
  export: () => import('./commands/export.ts'),
  refs: () => import('./commands/refs.ts'),
};

// The command list of `flags --help` without loading every command (and ajv, octokit, ...):
// equal to each command's `summary` (test/commands/help.test.ts holds them together). A command
// missing here is loaded to list it.
export const SUMMARIES: Record<string, string> = {
  validate: 'Check the flag files in the working tree against every rule that needs no history',
  check: 'Apply every rule of the rollout gate to the change base..head (CI)',
  status:
    'Every flag: state, since, soak left, the next step and when it is allowed; stale GA flags',
  plan: "Show what 'deploy' would change on the platform (deploy's dry run)",
  deploy: "Sync the repository's flags to the platform, in order, safely (on merge)",
  new: "Add a flag at alpha in its owner's folder (and the CODEOWNERS rule it needs)",
  promote:
    'Promote a flag one state (alpha -> beta -> ga), after running the gate on the change locally',
  revert:
    'Demote a flag (default to alpha) with its reason and incident, and the dependents above it',
  codeowners: "Keep CODEOWNERS in step with each flag's owner (--check or --write)",
  export: 'OpenFeature flagd definitions, the OpenFeature manifest, typed TypeScript accessors',
  refs: 'Code references per flag in the application source trees',
};

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function summaryOf(name: string): Promise<string | undefined> {
  const known = SUMMARIES[name];
  if (known !== undefined) return known;
  try {
    return (await COMMANDS[name]!()).command.summary;
  } catch {
    // A command whose module is not there yet is simply not listed.
    return undefined;
  }
}

async function mainHelp(): Promise<string> {
  const lines = [
    'flags: NovaVMS feature flags as code',
    '',
    `Usage: ${FLAGS} <command> [options]`,
    '',
    'Commands:',
  ];
  for (const name of Object.keys(COMMANDS)) {
    const summary = await summaryOf(name);
    if (summary !== undefined) lines.push(`  ${name.padEnd(11)} ${summary}`);
  }
  lines.push(
    '',
    'Every command takes --json (one JSON document on stdout) and --help.',
    'Exit status: 0 no error, 1 error violations or a failed step, 2 could not evaluate.',
    '',
    `Run '${FLAGS} <command> --help' (or '${FLAGS} help <command>') for a command's options.`,
  );
  return lines.join('\n') + '\n';
}

export function commandHelp(command: Command): string {
  return `Usage: ${FLAGS} ${command.usage}\n\n${command.summary}\n\n${command.help.trimEnd()}\n`;
}

/** The command of that name, or a usage error with the nearest names. */
async function loadCommand(name: string): Promise<Command> {
  const load = COMMANDS[name];
  if (!load) {
    const near = didYouMean(name, Object.keys(COMMANDS), "'");
    throw new UsageError(
      `unknown command '${name}';${near || ` the commands are ${Object.keys(COMMANDS).join(', ')};`} run '${FLAGS} --help' for the list`,
    );
  }
  return (await load()).command;
}

function parseOptions(
  command: Command,
  args: string[],
): { values: OptionValues; positionals: string[] } {
  const options = { ...command.options, ...COMMON_OPTIONS };
  try {
    const parsed = parseArgs({
      args,
      options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const near = unknown
      ? didYouMean(
          unknown,
          Object.keys(options).map((o) => `--${o}`),
          '',
        )
      : '';
    throw new UsageError(
      `${message.replace(/\. To specify.*$/s, '').replace(/^Unknown/, 'unknown')};${near} run '${FLAGS} ${command.name} --help' for its options`,
    );
  }
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: string[], ctx: CommandContext): Promise<number> {
  const [first, ...afterFirst] = argv;
  const json = argv.includes('--json');
  if (first === undefined || first === '--help' || first === '-h') {
    ctx.stdout(await mainHelp());
    return first === undefined ? 2 : 0;
  }
  const helpFor = first === 'help' ? afterFirst.find((a) => !a.startsWith('-')) : undefined;
  if (first === 'help' && helpFor === undefined) {
    ctx.stdout(await mainHelp());
    return 0;
  }
  const name = helpFor ?? first;
  try {
    const command = await loadCommand(name);
    if (helpFor !== undefined) {
      ctx.stdout(commandHelp(command));
      return 0;
    }
    const parsed = parseOptions(command, afterFirst);
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
 * where the command was typed.
 */
export function repositoryRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'flags')) || existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Where the command was typed. `npm run flags` runs in the package's folder and keeps the
 * caller's folder in INIT_CWD (so it works from a subfolder, and with `--prefix` from another
 * repository); anywhere else (npx, the bin on PATH, a child of some other npm script) the
 * process's own folder is the answer, and an inherited INIT_CWD is not.
 */
export function typedIn(env: Record<string, string | undefined>, cwd: string): string {
  return env.npm_lifecycle_event === 'flags' && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/**
 * A writer that goes quiet once the reader has gone (`flags validate | head -3`): the rest of the
 * output has no reader, which is not an error of the command.
 */
function quietWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    throw error;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

export function processContext(): CommandContext {
  return {
    cwd: repositoryRoot(typedIn(process.env, process.cwd())) ?? process.cwd(),
    env: process.env,
    clock: () => new Date(),
    stdout: quietWriter(process.stdout),
    stderr: quietWriter(process.stderr),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** The process's entry: bin/flags.js calls it, compiled or through tsx. */
export async function main(): Promise<void> {
  // process.exitCode rather than exit(): stdout drains (large JSON documents to a pipe) first.
  process.exitCode = await runCli(process.argv.slice(2), processContext());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
