import { describe, expect, it } from 'vitest';
import { renderComment } from '../../scripts/core/gate-report.ts';
import {
  BODY_MAX_CHARS,
  capAnnotations,
  fitParts,
  JOB_SUMMARY_MAX_BYTES,
} from '../../scripts/core/github-limits.ts';
import type { Change, CheckResult, Violation } from '../../scripts/core/model.ts';

const NOW = '2026-11-27T10:00:00Z';
const RUN = 'https://github.com/novalien/flags/actions/runs/42';

/** A change as large as the issue measured: 1,500 errors over 1,500 new flags. */
function hugeResult(n: number): CheckResult {
  const changes: Change[] = [];
  const violations: Violation[] = [];
  for (let i = 0; i < n; i += 1) {
    const flag = `flag-number-${String(i).padStart(4, '0')}`;
    const file = `flags/team-${i % 7}/${flag}.yaml`;
    changes.push({
      flag,
      file,
      kind: 'create',
      from: null,
      to: 'beta',
      since: null,
      eligibleAt: null,
    });
    violations.push({
      rule: 'new-flag-state',
      severity: 'error',
      flag,
      file,
      line: 3,
      message: `the new flag \`${flag}\` starts at beta; a new flag starts at alpha, where only staff and preview customers see it`,
    });
  }
  return {
    ok: false,
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    now: NOW,
    changes,
    violations,
    criteria: [],
    overrides: [],
  };
}

describe('the pull request comment within GitHub limits', () => {
  const context = { approvals: [], owners: {}, strict: true, runUrl: RUN };

  it('fits a 1,500-error change in 65,536 characters and says 1,500', () => {
    const big = hugeResult(1500);
    const unlimited = renderComment(big, context, { maxChars: Number.MAX_SAFE_INTEGER });
    expect(unlimited.length).toBeGreaterThan(BODY_MAX_CHARS);
    const body = renderComment(big, context);
    expect(body.length).toBeLessThanOrEqual(BODY_MAX_CHARS);
    expect(body).toContain('blocked by 1,500 errors');
    expect(body).toMatch(/_\d[\d,]* of 1,500 violations shown here: the \[run\]\(https:/);
    expect(body).toMatch(/_\d[\d,]* of 1,500 flag changes shown here/);
    expect(body.startsWith('<!-- flags-gate -->')).toBe(true);
  });

  it('leaves a change that fits exactly as it was', () => {
    const small = hugeResult(3);
    expect(renderComment(small, context)).toBe(
      renderComment(small, context, { maxChars: Number.MAX_SAFE_INTEGER }),
    );
    expect(renderComment(small, context)).not.toMatch(/shown here/);
  });
});

describe('fitParts', () => {
  const list = (n: number) => ({
    head: '#### items',
    items: Array.from({ length: n }, (_, i) => `- item ${i}`),
    more: (shown: number, total: number) => `${shown} of ${total}`,
  });

  it('keeps everything when it fits', () => {
    expect(fitParts(['a', list(2)], 1000)).toBe('a\n\n#### items\n- item 0\n- item 1');
  });

  it('cuts lists with their totals said, and measures bytes when asked', () => {
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    const out = fitParts(['é'.repeat(100), list(10_000), list(5)], 2000, { size: bytes });
    expect(bytes(out)).toBeLessThanOrEqual(2000);
    expect(out).toMatch(/\d+ of 10000/);
    // The short list is shown whole.
    expect(out).toContain('- item 4\n');
  });

  it('cuts plain text last, saying so', () => {
    const out = fitParts(['x'.repeat(5000)], 1000, { overflow: 'cut' });
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out.endsWith('\n\ncut')).toBe(true);
  });

  it('has the job summary limit of 1 MiB', () => {
    expect(JOB_SUMMARY_MAX_BYTES).toBe(1_048_576);
  });
});

describe('capAnnotations', () => {
  it('keeps 10 errors and 10 warnings and counts the rest', () => {
    const many = [
      ...Array.from({ length: 1500 }, () => ({ level: 'error' as const })),
      ...Array.from({ length: 12 }, () => ({ level: 'warning' as const })),
    ];
    const { shown, left } = capAnnotations(many);
    expect(shown.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(shown.filter((a) => a.level === 'warning')).toHaveLength(10);
    expect(left).toEqual({ error: 1490, warning: 2, notice: 0 });
  });

  it('counts what earlier calls in the same step showed', () => {
    const { shown, left } = capAnnotations([{ level: 'error' as const }], {
      error: 10,
      warning: 0,
      notice: 0,
    });
    expect(shown).toEqual([]);
    expect(left.error).toBe(1);
  });
});
