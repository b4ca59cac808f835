// Archival: a flag deleted from the repository is archived on the platform, once the runbook
// allows its removal there (no dependents, not at beta, at ga for 7 days on the platform's clock).
import { isoTime } from '../time.ts';
import type { PlatformFlag } from '../platform-model.ts';
import { removalBlocks } from '../rules/removal.ts';
import { step, type DeployStep, type PlanContext } from './model.ts';

export function planRemoval(ctx: PlanContext, a: PlatformFlag, add: (s: DeployStep) => void): void {
  const { facts } = ctx;
  const base = {
    id: `${a.key}:archive`,
    flag: a.key,
    action: 'archive' as const,
    from: a.state,
    to: null,
  };
  if (!facts.removedKeys.has(a.key)) {
    add(
      step({
        ...base,
        kind: 'drift',
        rule: 'drift',
        reason: `\`${a.key}\` is on the platform but was never in this repository (registered by hand?): left alone`,
      }),
    );
    return;
  }
  const dependents = [...ctx.desiredByKey.values()]
    .filter((f) => f.flag.depends_on?.includes(a.key))
    .map((f) => f.flag.key);
  const refuse = (message: string, allowedAt: Date | null = null): void =>
    add(
      step({
        ...base,
        kind: 'refused',
        rule: 'removal',
        reason: message,
        allowedAt: allowedAt ? isoTime(allowedAt) : null,
      }),
    );
  // Judged by the platform's clock: it is the platform's ga that has to have lasted 7 days.
  const [block] = removalBlocks({
    key: a.key,
    state: a.state,
    since: new Date(a.state_changed_at),
    dependents,
    now: facts.now,
  });
  if (block) return refuse(`on the platform: ${block.message}`, block.allowedAt);
  add(
    step({
      ...base,
      kind: 'apply',
      reason: 'deleted from the repository; archived on the platform',
    }),
  );
}
