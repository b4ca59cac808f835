import {
  DEPLOY_HELP_BODY,
  DEPLOY_HELP_OPTIONS,
  DEPLOY_OPTIONS,
  runDeployCommand,
} from './deploy.ts';
import type { Command } from './command.ts';

export const command: Command = {
  name: 'plan',
  summary: "Show what 'deploy' would change on the platform (deploy's dry run)",
  usage: 'plan [--platform-url URL] [--branch NAME] [--adopt] [--json]',
  help: `The dry run of 'deploy': reads the repository and the platform, writes nothing, and shows
the steps in order with their reasons, what the gate refuses, and the drift.

${DEPLOY_HELP_BODY}

${DEPLOY_HELP_OPTIONS.split('\n')
  .filter((line) => !line.includes('--dry-run'))
  .join('\n')}

Exit status: 0 the deploy would succeed, 1 a step would be refused by the gate or HEAD is not
the tip of --branch on origin, 2 could not evaluate.`,
  options: DEPLOY_OPTIONS,
  run: (values, _positionals, ctx) => runDeployCommand(values, ctx, 'plan'),
};
