// @actions/core through the adapter, captured from the real files a runner would read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  annotate,
  setOutputs,
  startStep,
  writeJobSummary,
} from '../../scripts/adapters/actions.ts';
import { deployReport, main as deploySummaryMain } from '../../scripts/github/deploy-summary.ts';
import { actionsRunner, type ActionsRunner } from '../helpers/github-stub.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

describe('the actions adapter', () => {
  it('annotates at the file and line with the rule as title', async () => {
    const { lines } = await runner.captureStdout(() =>
      annotate([
        { level: 'error', message: 'too early', title: 'soak', file: 'flags/a.yaml', line: 3 },
        {
          level: 'warning',
          message: 'waived',
          title: 'soak-override',
          file: 'flags/a.yaml',
          line: null,
        },
        { level: 'notice', message: 'plain' },
      ]),
    );
    expect(lines).toEqual([
      '::error title=soak,file=flags/a.yaml,line=3::too early',
      '::warning title=soak-override,file=flags/a.yaml::waived',
      '::notice::plain',
    ]);
  });

  it('writes the job summary with a table, escaping cells', async () => {
    const written = await writeJobSummary({
      heading: 'Flags gate',
      intro: ['**ready**'],
      table: { header: ['flag', 'note'], rows: [['a', '<script>x</script>']] },
      sections: ['#### Details'],
    });
    expect(written).toBe(true);
    const summary = runner.summary();
    expect(summary).toContain('## Flags gate');
    expect(summary).toContain('**ready**');
    expect(summary).toContain('| flag | note |\n| --- | --- |');
    expect(summary).toContain('| a | &lt;script&gt;x&lt;/script&gt; |');
    expect(summary.indexOf('#### Details')).toBeGreaterThan(summary.indexOf('| a |'));
  });

  it('keeps a 10,000-row summary within 1 MiB, saying how many rows it shows', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [
      `flag-${i}`,
      'set-state alpha → beta',
      'applied',
      'main says beta; the platform had alpha since the last deploy of this flag',
    ]);
    await writeJobSummary({
      heading: 'Flags deploy',
      table: { header: ['a', 'b', 'c', 'd'], rows },
    });
    const summary = runner.summary();
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.byteLength(summary, 'utf8')).toBeGreaterThan(900 * 1024);
    expect(summary).toMatch(/_[\d,]+ of 10,000 rows shown: the log has them all\._/);
  });

  it('annotates 10 errors and 10 warnings per step, then one notice with the count left out', async () => {
    const many = [
      ...Array.from({ length: 1500 }, (_, i) => ({ level: 'error' as const, message: `e${i}` })),
      ...Array.from({ length: 11 }, (_, i) => ({ level: 'warning' as const, message: `w${i}` })),
    ];
    const { lines } = await runner.captureStdout(() => annotate(many));
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(10);
    expect(lines.filter((l) => l.startsWith('::warning'))).toHaveLength(10);
    const notices = lines.filter((l) => l.startsWith('::notice'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('1,490 errors and 1 warning more not shown');
    expect(notices[0]).toContain('1,511 in all');
  });

  it('sets outputs, strings as they are and the rest as JSON', async () => {
    await setOutputs({ state: 'pending', count: 3, result: { ok: false } });
    expect(runner.outputs()).toEqual({ state: 'pending', count: '3', result: '{"ok":false}' });
  });

  it('writes no summary outside a workflow', async () => {
    const saved = process.env['GITHUB_STEP_SUMMARY'];
    delete process.env['GITHUB_STEP_SUMMARY'];
    try {
      expect(await writeJobSummary({ heading: 'x' })).toBe(false);
    } finally {
      process.env['GITHUB_STEP_SUMMARY'] = saved;
    }
  });
});

describe('the deploy summary', () => {
  const deploy = {
    ok: true,
    dryRun: false,
    counts: { applied: 2, skipped: 5, failed: 0, drifted: 1 },
    // The shape of scripts/adapters/deploy-run.ts's ReportStep.
    steps: [
      {
        flag: 'live-view',
        action: 'set-state',
        from: 'alpha',
        to: 'beta',
        org: null,
        outcome: 'applied',
        message: null,
        reason: 'main says beta',
      },
      {
        flag: 'old',
        action: 'archive',
        from: null,
        to: null,
        org: null,
        outcome: 'skipped',
        message: 'a step before it failed',
        reason: 'removed from main',
      },
      {
        flag: 'cam',
        action: 'enable-org',
        from: null,
        to: null,
        org: 'acme',
        outcome: 'applied',
        message: null,
        reason: 'alpha_orgs',
      },
    ],
  };

  it('turns the deploy JSON into outputs and a summary', () => {
    const report = deployReport(JSON.stringify(deploy), 0);
    expect(report.outputs).toMatchObject({
      ok: 'true',
      'dry-run': 'false',
      applied: '2',
      skipped: '5',
      failed: '0',
      drifted: '1',
    });
    expect(JSON.parse(report.outputs['plan'] ?? '')).toEqual(deploy);
    expect(report.summary.table?.rows).toEqual([
      ['live-view', 'set-state alpha → beta', 'applied', 'main says beta'],
      ['old', 'archive', 'skipped', 'a step before it failed'],
      ['cam', 'enable-org for acme', 'applied', 'alpha_orgs'],
    ]);
  });

  it('reports a deploy that printed no JSON as failed', () => {
    const report = deployReport('flags deploy: internal error', 2);
    expect(report.outputs).toMatchObject({ ok: 'false', plan: '', applied: '0' });
    expect(report.summary.intro?.[0]).toContain('exit status 2');
  });

  it('writes the real files when run as the action runs it', async () => {
    const file = join(runner.outputFile, '..', 'deploy.json');
    writeFileSync(file, JSON.stringify({ ...deploy, ok: false, dryRun: true }));
    expect(await deploySummaryMain([file, '1'])).toBe(0);
    expect(runner.outputs()).toMatchObject({ ok: 'false', 'dry-run': 'true', applied: '2' });
    expect(runner.summary()).toContain('## Flags deploy (dry run): failed');
    expect(runner.summary()).toContain('| live-view |');
  });
});
