// @actions/core through the adapter, captured from the real files a runner would read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { annotate, setOutputs, writeJobSummary } from '../../scripts/adapters/actions.ts';
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
    expect(summary).toContain('<h2>Flags gate</h2>');
    expect(summary).toContain('**ready**');
    expect(summary).toContain('<tr><th>flag</th><th>note</th></tr>');
    expect(summary).toContain('<td>&lt;script&gt;x&lt;/script&gt;</td>');
    expect(summary.indexOf('#### Details')).toBeGreaterThan(summary.indexOf('<table>'));
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
    expect(runner.summary()).toContain('<h2>Flags deploy (dry run): failed</h2>');
    expect(runner.summary()).toContain('<td>live-view</td>');
  });
});
