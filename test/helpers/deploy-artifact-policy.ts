// What the deploy workflow must hold for its flagd artifact: after the deploy step, an export of
// the deployed commit (no `${{ }}` in its script) and an upload of exactly that file, both only
// on a real deploy that succeeded. A function of the workflow's text, so tests can break it.
import { parse } from 'yaml';

type Doc = Record<string, unknown>;

const asMap = (value: unknown): Doc =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

export const FLAGD_OUT = '$RUNNER_TEMP/flagd/flags.flagd.json';
const UPLOAD = 'actions/upload-artifact@';

/** Problems with a step's `if:` for "only after a deploy that succeeded, never a dry run". */
function guardProblems(step: Doc, what: string): string[] {
  // Without `success()` GitHub adds it; `always()`, `failure()`, `cancelled()` or `||` would
  // let the step run after a failed deploy.
  const condition = text(step['if'])
    .replace(/^\s*\$\{\{|\}\}\s*$/g, '')
    .trim();
  const problems: string[] = [];
  if (/always\(\)|failure\(\)|cancelled\(\)|\|\|/.test(condition))
    problems.push(`${what}: its if: must not run after a failed deploy (${condition})`);
  if (!/(^|&&\s*)!\s*inputs\.dry-run(\s*&&|$)/.test(condition))
    problems.push(`${what}: its if: must leave out dry runs (&& !inputs.dry-run)`);
  return problems;
}

/** Every problem of the deploy workflow's flagd export and upload; empty when they comply. */
export function flagdArtifactProblems(workflow: string): string[] {
  const steps = Object.values(asMap(asMap(parse(workflow))['jobs']))
    .map((job) => asMap(job)['steps'])
    .find((list) => Array.isArray(list) && list.some((s) => asMap(s)['id'] === 'deploy'));
  if (!Array.isArray(steps)) return ['no job with a step of id deploy'];
  const list = steps.map(asMap);
  const deploy = list.findIndex((s) => s['id'] === 'deploy');
  const exportAt = list.findIndex((s) => /flags (-- )?export --format flagd/.test(text(s['run'])));
  const uploadAt = list.findIndex((s) => text(s['uses']).startsWith(UPLOAD));
  if (exportAt === -1) return ['no step runs `flags export --format flagd`'];
  if (uploadAt === -1) return ['no step uses actions/upload-artifact'];
  const problems: string[] = [];
  if (!(deploy < exportAt && exportAt < uploadAt))
    problems.push('the order must be: deploy, export, upload');
  const run = text(list[exportAt]!['run']);
  if (run.includes('${{')) problems.push('the export step has a ${{ }} expression in run:');
  if (!run.includes(`--out "${FLAGD_OUT}"`)) problems.push(`the export must write "${FLAGD_OUT}"`);
  if (/--ref\b/.test(run)) problems.push('the export must read HEAD, the commit deploy deployed');
  problems.push(...guardProblems(list[exportAt]!, 'the export step'));
  problems.push(...guardProblems(list[uploadAt]!, 'the upload step'));
  const upload = asMap(list[uploadAt]!['with']);
  if (text(upload['path']) !== FLAGD_OUT.replace('$RUNNER_TEMP', '${{ runner.temp }}'))
    problems.push('the upload must publish the exported file');
  if (!text(upload['name']).includes('${{ github.sha }}'))
    problems.push("the artifact's name must carry the commit (github.sha)");
  if (upload['if-no-files-found'] !== 'error')
    problems.push('the upload needs if-no-files-found: error');
  const days = Number(text(upload['retention-days']));
  if (!(Number.isInteger(days) && days >= 1 && days <= 90))
    problems.push('the upload needs retention-days between 1 and 90');
  return problems;
}
