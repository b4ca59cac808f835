// Rendering for people in a terminal: violations grouped by file, `file:line` first so editors and
// terminals link them; colour only on a TTY and never with NO_COLOR.
import type { Violation } from '../core/model.ts';

export interface Style {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

export function style(enabled: boolean): Style {
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

export function colourEnabled(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

export function renderViolations(violations: readonly Violation[], s: Style): string {
  const byFile = new Map<string, Violation[]>();
  for (const v of violations) {
    const file = v.file ?? '(repository)';
    byFile.set(file, [...(byFile.get(file) ?? []), v]);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(s.bold(file));
    for (const v of list) {
      const where = v.file ? `${v.file}${v.line ? `:${v.line}` : ''}` : '-';
      const severity = v.severity === 'error' ? s.red('error  ') : s.yellow('warning');
      lines.push(`  ${where}  ${severity}  ${s.dim(v.rule)}  ${v.message}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function countSummary(violations: readonly Violation[]): string {
  const errors = violations.filter((v) => v.severity === 'error').length;
  const warnings = violations.length - errors;
  const files = new Set(violations.map((v) => v.file)).size;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`;
}
