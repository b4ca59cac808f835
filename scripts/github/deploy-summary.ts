// Turns the JSON of `flags deploy --json` into the deploy action's outputs and job summary.
// Run by .github/actions/deploy/action.yml:
//   npx tsx scripts/github/deploy-summary.ts <deploy.json> <deploy exit status>
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobSummary } from '../adapters/actions.ts';
import { text } from '../core/gate-report.ts';

export interface DeployCounts {
  applied: number;
  skipped: number;
  failed: number;
  drifted: number;
}

export interface DeployReport {
  outputs: Record<string, string>;
  summary: JobSummary;
}

const NO_COUNTS: DeployCounts = { applied: 0, skipped: 0, failed: 0, drifted: 0 };

/**
 * GitHub allows "a maximum of 1 MB per job" of outputs ("the total of all outputs in a workflow
 * run can be a maximum of 50 MB"), the size "approximated based on UTF-16 encoding":
 * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs
 * So a character counts two bytes, and 1 MB is read as 1,000,000 bytes. The `plan` output gets
 * at most half of it (the job may set outputs of its own); the whole document stays in the file
 * `plan-file` names. At 10,000 flags the document is far larger (bench/deploy.ts measures it).
 */
export const JOB_OUTPUTS_LIMIT_BYTES = 1_000_000;
export const PLAN_OUTPUT_LIMIT_BYTES = 500_000;

/** An output's size as GitHub counts it: UTF-16, two bytes a code unit. */
export function outputBytes(value: string): number {
  return value.length * 2;
}

/**
 * The `plan` output: the deploy's document when it fits, else the same document with only the
 * first steps that fit, `truncated: true`, and how many steps there are in all. Always JSON.
 */
export function boundedPlan(doc: Record<string, unknown>, limitBytes = PLAN_OUTPUT_LIMIT_BYTES) {
  const whole = JSON.stringify(doc);
  if (outputBytes(whole) <= limitBytes) return whole;
  const steps = Array.isArray(doc['steps']) ? (doc['steps'] as unknown[]) : [];
  // Only the steps are cut: what else the document lists (flags, verify) is in the file.
  const { ok, dryRun, counts, error } = doc;
  const cut = (shown: number) =>
    JSON.stringify({
      ok,
      dryRun,
      counts,
      ...(error === undefined ? {} : { error }),
      truncated: true,
      stepsTotal: steps.length,
      stepsShown: shown,
      steps: steps.slice(0, shown),
    });
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (outputBytes(cut(mid)) <= limitBytes) low = mid;
    else high = mid - 1;
  }
  return cut(low);
}

/**
 * Outputs and summary from the deploy's stdout (which may not be JSON if it crashed). Pure.
 * `file` is where the whole document is kept (the `plan-file` output).
 */
export function deployReport(stdout: string, exitStatus: number, file = ''): DeployReport {
  let doc: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      doc = parsed as Record<string, unknown>;
    }
  } catch {
    doc = null;
  }
  const dryRun = doc?.['dryRun'] === true;
  const counts = { ...NO_COUNTS, ...pickCounts(doc?.['counts']) };
  const ok = doc?.['ok'] === true && exitStatus === 0;
  const heading = `Flags deploy${dryRun ? ' (dry run)' : ''}: ${ok ? 'done' : 'failed'}`;
  const outputs = {
    ok: String(ok),
    'dry-run': String(dryRun),
    plan: doc ? boundedPlan(doc) : '',
    'plan-file': doc ? file : '',
    applied: String(counts.applied),
    skipped: String(counts.skipped),
    failed: String(counts.failed),
    drifted: String(counts.drifted),
  };
  if (!doc) {
    return {
      outputs,
      summary: {
        heading,
        intro: [`The deploy printed no JSON (exit status ${exitStatus}); see the step's log.`],
      },
    };
  }
  const error = doc['error'] as { message?: unknown } | undefined;
  const intro = [
    `${counts.applied} applied, ${counts.skipped} skipped, ${counts.failed} failed, ${counts.drifted} drifted (exit status ${exitStatus}).`,
  ];
  if (error && typeof error.message === 'string') intro.push(`Error: ${text(error.message)}`);
  const steps = Array.isArray(doc['steps']) ? (doc['steps'] as unknown[]) : [];
  return {
    outputs,
    summary: {
      heading,
      intro,
      table: {
        header: ['flag', 'action', 'result', 'detail'],
        rows: steps.map((step) => stepRow(step)),
      },
    },
  };
}

function pickCounts(value: unknown): Partial<DeployCounts> {
  if (!value || typeof value !== 'object') return {};
  const counts: Partial<DeployCounts> = {};
  for (const name of ['applied', 'skipped', 'failed', 'drifted'] as const) {
    const n = (value as Record<string, unknown>)[name];
    if (typeof n === 'number') counts[name] = n;
  }
  return counts;
}

// The step shape belongs to the deploy command; read the usual names and show what is there.
function stepRow(step: unknown): string[] {
  const s = (step ?? {}) as Record<string, unknown>;
  const first = (...names: string[]) => {
    for (const name of names) {
      const v = s[name];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        return String(v);
    }
    return '';
  };
  const from = first('from');
  const to = first('to');
  const change = from || to ? `${from || '—'} → ${to || '—'}` : '';
  const org = first('org');
  return [
    first('flag', 'key'),
    [first('action', 'kind', 'op', 'type'), org && `for ${org}`, change].filter(Boolean).join(' '),
    first('status', 'result', 'outcome'),
    first('message', 'detail', 'reason', 'error'),
  ];
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const [file, status] = argv;
  if (!file) {
    process.stderr.write('usage: deploy-summary.ts <deploy.json> <exit status>\n');
    return 2;
  }
  const stdout = await readFile(file, 'utf8').catch(() => '');
  const exitStatus = Number(status ?? '0') || 0;
  const report = deployReport(stdout, exitStatus, resolve(file));
  const actions = await import('../adapters/actions.ts');
  await actions.setOutputs(report.outputs);
  await actions.writeJobSummary(report.summary);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
