// What every command module exports, and what it is given. Commands parse nothing themselves:
// cli.ts parses options with node:util parseArgs from each command's `options`, then calls run.
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** The outside world a command may touch, passed in so tests can drive commands in-process. */
export interface CommandContext {
  /** Repository root (where `flags/`, `schema/` and `CODEOWNERS` live). */
  cwd: string;
  env: Record<string, string | undefined>;
  /** The clock, read once by the command when no `--now` was given. */
  clock: () => Date;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress, colour). */
  isTTY: boolean;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) after `flags `, e.g. `check --base REF [--head REF] ...`. */
  usage: string;
  /** The rest of `--help`: what it does, options, exit codes. */
  help: string;
  options: Options;
  allowPositionals?: boolean;
  /** Returns the exit status: 0 no error, 1 error violations or failed steps. Throws for 2. */
  run(values: OptionValues, positionals: string[], ctx: CommandContext): Promise<number>;
}

/**
 * A command that declines (nothing to do, or not yet possible): the JSON document with
 * `ok: false` and the message, or one line for people. Exit status 1.
 */
export function decline(
  ctx: CommandContext,
  json: boolean,
  document: Record<string, unknown>,
  line: string,
): number {
  ctx.stdout(
    json ? JSON.stringify({ ok: false, ...document, violations: [] }, null, 2) + '\n' : `${line}\n`,
  );
  return 1;
}
