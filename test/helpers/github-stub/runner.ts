// The Actions runner's files (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT) for in-process tests.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ActionsRunner {
  summaryFile: string;
  outputFile: string;
  /** Empties both files (@actions/core keeps the summary path it saw first: one per test file). */
  reset(): void;
  summary(): string;
  /** GITHUB_OUTPUT parsed: `name<<delimiter ... delimiter` entries. */
  outputs(): Record<string, string>;
  /** Runs `work` with process.stdout captured: the workflow commands (annotations) it printed. */
  captureStdout<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }>;
  /** Puts the environment back and removes the files. */
  restore(): void;
}

/**
 * Real GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files in a temp folder, set in process.env (which
 * @actions/core reads when called), for in-process tests.
 */
export function actionsRunner(): ActionsRunner {
  const dir = mkdtempSync(join(tmpdir(), 'actions-'));
  const summaryFile = join(dir, 'summary.md');
  const outputFile = join(dir, 'output.txt');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const saved = {
    GITHUB_STEP_SUMMARY: process.env['GITHUB_STEP_SUMMARY'],
    GITHUB_OUTPUT: process.env['GITHUB_OUTPUT'],
  };
  process.env['GITHUB_STEP_SUMMARY'] = summaryFile;
  process.env['GITHUB_OUTPUT'] = outputFile;
  return {
    summaryFile,
    outputFile,
    reset() {
      writeFileSync(summaryFile, '');
      writeFileSync(outputFile, '');
    },
    summary: () => readFileSync(summaryFile, 'utf8'),
    outputs() {
      const lines = readFileSync(outputFile, 'utf8').split(EOL);
      const outputs: Record<string, string> = {};
      for (let i = 0; i < lines.length; i++) {
        const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
        if (!m) continue;
        const [, name, delimiter] = m as unknown as [string, string, string];
        const value: string[] = [];
        for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
        outputs[name] = value.join(EOL);
      }
      return outputs;
    },
    async captureStdout(work) {
      const original = process.stdout.write.bind(process.stdout);
      let printed = '';
      const capture = (chunk: string | Uint8Array): boolean => {
        printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        return true;
      };
      process.stdout.write = capture;
      try {
        const value = await work();
        return { value, lines: printed.split(EOL).filter(Boolean) };
      } finally {
        process.stdout.write = original;
      }
    },
    restore() {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
