// GitHub Actions, through @actions/core: annotations, the job summary and step outputs.
// @actions/core is imported on first use only, so CLI commands that never run in a workflow do
// not pay for it. It reads GITHUB_STEP_SUMMARY and GITHUB_OUTPUT from process.env when called.

import type * as ActionsCore from '@actions/core';
import {
  capAnnotations,
  count,
  fitParts,
  JOB_SUMMARY_MAX_BYTES,
  type FitPart,
} from '../core/github-limits.ts';

type Core = typeof ActionsCore;

let loaded: Promise<Core> | undefined;
function core(): Promise<Core> {
  loaded ??= import('@actions/core');
  return loaded;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  /** The rule id, shown as the annotation's title. */
  title?: string;
  /** Repo-relative path. */
  file?: string | null;
  /** 1-based line. */
  line?: number | null;
}

export interface SummaryTable {
  header: string[];
  rows: string[][];
}

export interface JobSummary {
  heading: string;
  /** Markdown before the table. */
  intro?: string[];
  table?: SummaryTable;
  /** Markdown after the table. */
  sections?: string[];
}

// GitHub shows 10 errors and 10 warnings per step; one process is one step.
const shownThisStep = { error: 0, warning: 0, notice: 0 };

/** Starts counting annotations afresh, as a new step does (tests run many steps in one process). */
export function startStep(): void {
  Object.assign(shownThisStep, { error: 0, warning: 0, notice: 0 });
}

/**
 * One annotation per entry (`::error file=...,line=...,title=...::message` in the log), up to
 * GitHub's 10 per level in a step; what is left out is counted in one notice, never dropped
 * without a word.
 */
export async function annotate(annotations: readonly Annotation[]): Promise<void> {
  if (annotations.length === 0) return;
  const c = await core();
  const { shown, left } = capAnnotations(annotations, shownThisStep);
  for (const a of shown) {
    shownThisStep[a.level] += 1;
    const properties = {
      ...(a.title ? { title: a.title } : {}),
      ...(a.file ? { file: a.file } : {}),
      ...(a.file && a.line ? { startLine: a.line } : {}),
    };
    if (a.level === 'error') c.error(a.message, properties);
    else if (a.level === 'warning') c.warning(a.message, properties);
    else c.notice(a.message, properties);
  }
  const omitted = (['error', 'warning', 'notice'] as const)
    .filter((level) => left[level] > 0)
    .map((level) => `${count(left[level])} ${level}${left[level] === 1 ? '' : 's'}`);
  if (omitted.length > 0) {
    c.notice(
      `${omitted.join(' and ')} more not shown as annotations (GitHub shows ${count(10)} per kind in a step; ${count(annotations.length)} in all): the job summary and the log have them`,
    );
  }
}

/**
 * Appends to the job summary. False (and nothing written) outside a workflow, where there is no
 * GITHUB_STEP_SUMMARY file.
 */
export async function writeJobSummary(summary: JobSummary): Promise<boolean> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return false;
  const c = await core();
  const s = c.summary.emptyBuffer().addRaw(renderJobSummary(summary), true);
  await s.write();
  return true;
}

/**
 * The job summary as markdown, within GitHub's 1 MiB (above it GitHub drops the whole summary):
 * the table and the sections are cut to fit, each cut saying how much it shows of how much.
 */
export function renderJobSummary(
  summary: JobSummary,
  maxBytes: number = JOB_SUMMARY_MAX_BYTES,
): string {
  const parts: FitPart[] = [`## ${summary.heading}`, ...(summary.intro ?? [])];
  if (summary.table && summary.table.rows.length > 0) {
    const row = (cells: readonly string[]) =>
      `| ${cells.map((v) => escapeHtml(v).replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
    parts.push({
      head: [row(summary.table.header), row(summary.table.header.map(() => '---'))].join('\n'),
      items: summary.table.rows.map(row),
      more: (shown, total) =>
        `_${count(shown)} of ${count(total)} rows shown: the log has them all._`,
    });
  }
  parts.push(...(summary.sections ?? []));
  const size = (text: string) => Buffer.byteLength(text, 'utf8');
  // Leave room for the newline write() adds and for other writers of the same step.
  return fitParts(parts, maxBytes - 1024, {
    size,
    overflow: '_The rest does not fit in a job summary (1 MiB): the log has it._',
  });
}

/** Sets step outputs (strings as they are, anything else as JSON). */
export async function setOutputs(outputs: Record<string, unknown>): Promise<void> {
  const c = await core();
  for (const [name, value] of Object.entries(outputs)) {
    c.setOutput(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
}

/** A notice in the log, e.g. why the comment fell back to the summary. */
export async function notice(message: string): Promise<void> {
  (await core()).notice(message);
}

/** Runs `work` inside a collapsible log group. */
export async function group<T>(name: string, work: () => Promise<T>): Promise<T> {
  return (await core()).group(name, work);
}

// addTable puts cells into HTML as they are: flag files must not inject markup.
function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
