// GitHub Actions, through @actions/core: annotations, the job summary and step outputs.
// @actions/core is imported on first use only, so CLI commands that never run in a workflow do
// not pay for it. It reads GITHUB_STEP_SUMMARY and GITHUB_OUTPUT from process.env when called.

import type * as ActionsCore from '@actions/core';

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

/** One annotation per entry: `::error file=...,line=...,title=...::message` in the log. */
export async function annotate(annotations: readonly Annotation[]): Promise<void> {
  if (annotations.length === 0) return;
  const c = await core();
  for (const a of annotations) {
    const properties = {
      ...(a.title ? { title: a.title } : {}),
      ...(a.file ? { file: a.file } : {}),
      ...(a.file && a.line ? { startLine: a.line } : {}),
    };
    if (a.level === 'error') c.error(a.message, properties);
    else if (a.level === 'warning') c.warning(a.message, properties);
    else c.notice(a.message, properties);
  }
}

/**
 * Appends to the job summary. False (and nothing written) outside a workflow, where there is no
 * GITHUB_STEP_SUMMARY file.
 */
export async function writeJobSummary(summary: JobSummary): Promise<boolean> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return false;
  const c = await core();
  const s = c.summary.emptyBuffer().addHeading(summary.heading, 2);
  for (const part of summary.intro ?? []) s.addRaw(part, true).addEOL();
  if (summary.table && summary.table.rows.length > 0) {
    s.addTable([
      summary.table.header.map((data) => ({ data, header: true })),
      ...summary.table.rows.map((row) => row.map(escapeHtml)),
    ]);
  }
  for (const part of summary.sections ?? []) s.addRaw(part, true).addEOL();
  await s.write();
  return true;
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
