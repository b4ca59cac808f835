// revertible and alpha-org: rules about one flag file on its own.
import { INTERNAL_ORGS, type FlagSet, type Violation } from '../model.ts';
import { flagViolation } from './violation.ts';

export function revertibleRule(set: FlagSet): Violation[] {
  const violations: Violation[] = [];
  for (const f of set.flags) {
    if (f.flag.state !== 'ga') continue;
    if (!f.flag.revertible) {
      violations.push(
        flagViolation(
          'revertible',
          f,
          ['revertible'],
          `\`${f.flag.key}\` is at ga but not revertible: every ga flag must be revertible by flipping its state back, with no schema or data-format dependency; make the change revertible and set \`revertible: true\`, or keep the flag in beta and escalate to the owning team`,
        ),
      );
    }
    const migration = f.flag.migration;
    if (migration && !(migration.idempotent_forward && migration.idempotent_backward)) {
      const which = [
        migration.idempotent_forward ? null : 'forward',
        migration.idempotent_backward ? null : 'backward',
      ].filter(Boolean);
      violations.push(
        flagViolation(
          'revertible',
          f,
          [
            'migration',
            migration.idempotent_forward ? 'idempotent_backward' : 'idempotent_forward',
          ],
          `\`${f.flag.key}\` is at ga but its migration is not idempotent ${which.join(' and ')}: a migration must be idempotent both forward and backward so the flag stays revertible`,
        ),
      );
    }
  }
  return violations;
}

const internal: ReadonlySet<string> = new Set(INTERNAL_ORGS);

export function alphaOrgRule(set: FlagSet): Violation[] {
  const violations: Violation[] = [];
  for (const f of set.flags) {
    (f.flag.alpha_orgs ?? []).forEach((entry, index) => {
      if (internal.has(entry.org) || entry.preview_agreement) return;
      violations.push(
        flagViolation(
          'alpha-org',
          f,
          ['alpha_orgs', index],
          `alpha org \`${entry.org}\` is outside Novalien and has no \`preview_agreement\`: only design partners who signed the preview agreement may get an alpha; add \`preview_agreement: <reference>\` or remove the org`,
        ),
      );
    });
  }
  return violations;
}
