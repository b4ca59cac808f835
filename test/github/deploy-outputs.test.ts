// The deploy action's outputs stay within GitHub's limit (1 MB of outputs per job, counted as
// UTF-16), however many flags the deploy touches: the plan is bounded and says its total, and
// the whole document is in the file `plan-file` names.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStep } from '../../scripts/adapters/actions.ts';
import {
  boundedPlan,
  deployReport,
  JOB_OUTPUTS_LIMIT_BYTES,
  main as deploySummaryMain,
  outputBytes,
  PLAN_OUTPUT_LIMIT_BYTES,
} from '../../scripts/github/deploy-summary.ts';
import { actionsRunner, type ActionsRunner } from '../helpers/github-stub.ts';

let runner: ActionsRunner;
beforeAll(() => {
  runner = actionsRunner();
});
afterAll(() => {
  runner.restore();
});
beforeEach(() => {
  runner.reset();
  startStep();
});

/** A deploy document with `count` steps in the shape of deploy-run.ts's ReportStep. */
function deployDoc(count: number) {
  const steps = Array.from({ length: count }, (_, i) => ({
    kind: 'register',
    flag: `team-${i % 40}-feature-number-${i}`,
    action: 'set-state',
    from: 'alpha',
    to: 'beta',
    org: null,
    reason: 'main says beta (promoted in 3f9c2a1 on 2026-11-01)',
    outcome: 'applied',
    message: null,
    idempotencyKey: `deploy-0123456789abcdef-${i}`,
  }));
  return {
    ok: true,
    dryRun: false,
    counts: { planned: count, applied: count, skipped: 0, failed: 0, drifted: 0 },
    steps,
    flags: steps.map((s) => ({ key: s.flag, state: 'beta' })),
  };
}

const totalBytes = (outputs: Record<string, string>) =>
  Object.entries(outputs).reduce((n, [k, v]) => n + outputBytes(k) + outputBytes(v), 0);

describe('the deploy action outputs', () => {
  it('keeps a small plan whole', () => {
    const doc = deployDoc(3);
    const report = deployReport(JSON.stringify(doc, null, 2), 0, '/tmp/flags-deploy.json');
    expect(JSON.parse(report.outputs['plan'] ?? '')).toEqual(doc);
    expect(report.outputs['plan-file']).toBe('/tmp/flags-deploy.json');
  });

  it('cuts a 10,000-step plan to fit, saying how many it shows of how many', () => {
    const doc = deployDoc(10_000);
    const whole = JSON.stringify(doc, null, 2);
    // Far over GitHub's 1 MB per job: as it was, the output alone would break the job.
    expect(outputBytes(whole)).toBeGreaterThan(JOB_OUTPUTS_LIMIT_BYTES);
    const report = deployReport(whole, 0, '/tmp/flags-deploy.json');
    const plan = report.outputs['plan'] ?? '';
    expect(outputBytes(plan)).toBeLessThanOrEqual(PLAN_OUTPUT_LIMIT_BYTES);
    expect(totalBytes(report.outputs)).toBeLessThanOrEqual(JOB_OUTPUTS_LIMIT_BYTES);
    const bounded = JSON.parse(plan);
    expect(bounded).toMatchObject({ ok: true, truncated: true, stepsTotal: 10_000 });
    expect(bounded.counts).toEqual(doc.counts);
    expect(bounded.steps).toEqual(doc.steps.slice(0, bounded.stepsShown));
    expect(bounded.stepsShown).toBeGreaterThan(500);
    // As many steps as fit: one more would not.
    const oneMore = { ...bounded, stepsShown: bounded.stepsShown + 1 };
    oneMore.steps = doc.steps.slice(0, oneMore.stepsShown);
    expect(outputBytes(JSON.stringify(oneMore))).toBeGreaterThan(PLAN_OUTPUT_LIMIT_BYTES);
    expect(report.summary.intro?.[0]).toContain('10000 applied');
  });

  it('keeps a plan of exactly the limit whole, and cuts one a character over', () => {
    // Without `flags`, so that cutting can only drop steps.
    const { flags, ...doc } = deployDoc(50);
    void flags;
    const exact = outputBytes(JSON.stringify(doc));
    expect(JSON.parse(boundedPlan(doc, exact))).toEqual(doc);
    const cut = JSON.parse(boundedPlan(doc, exact - 2));
    expect(cut).toMatchObject({ truncated: true, stepsTotal: 50 });
    expect(cut.stepsShown).toBeLessThan(50);
    // Counted as GitHub counts: UTF-16, so a character outside the BMP is four bytes.
    expect(outputBytes('🚩')).toBe(4);
  });

  it('sets plan-file to the whole document as the action runs it', async () => {
    const file = join(runner.outputFile, '..', 'flags-deploy.json');
    const whole = JSON.stringify(deployDoc(10_000), null, 2);
    writeFileSync(file, whole);
    expect(await deploySummaryMain([file, '0'])).toBe(0);
    const outputs = runner.outputs();
    expect(outputs['plan-file']).toBe(file);
    expect(readFileSync(outputs['plan-file'] ?? '', 'utf8')).toBe(whole);
    expect(JSON.parse(outputs['plan'] ?? '')).toMatchObject({
      truncated: true,
      stepsTotal: 10_000,
    });
    expect(outputs['applied']).toBe('10000');
    // What the runner's GITHUB_OUTPUT file holds for the step stays within the job's limit.
    expect(outputBytes(readFileSync(runner.outputFile, 'utf8'))).toBeLessThanOrEqual(
      JOB_OUTPUTS_LIMIT_BYTES,
    );
  });
});
