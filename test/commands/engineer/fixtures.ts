// Flag files for the engineer-command tests, written as people write them (comments included).
import { gitRepo, type TestRepo } from '../../helpers/git-repo.ts';
import { withIdentity } from '../../helpers/remote.ts';

export const LIVE_VIEW = 'flags/video/live-view.yaml';
export const EDGE = 'flags/platform/edge-session-resume.yaml';
export const BACKOFF = 'flags/platform/reconnect-backoff-v2.yaml';

export function flagText(options: {
  key: string;
  owner?: string;
  state: string;
  depends_on?: string[];
  extra?: string;
}): string {
  const deps = options.depends_on?.length
    ? `depends_on:\n${options.depends_on.map((d) => `  - ${d}`).join('\n')}\n`
    : '';
  return (
    `# yaml-language-server: $schema=../../schema/flag.schema.json\n` +
    `# Owned by the ${options.key} crew; ask in #novavms-releases before touching.\n` +
    `key: ${options.key}\n` +
    `description: The ${options.key} feature.\n` +
    `owner: "${options.owner ?? '@novalien/video'}"\n` +
    `state: ${options.state} # changed by flags promote / flags revert\n` +
    `revertible: true\n` +
    deps +
    (options.extra ?? '')
  );
}

/** A repository with a committer identity and `live-view` committed at `state` on `at`. */
export function repoWithLiveView(state: string, at: string, extra?: string): TestRepo {
  const repo = withIdentity(gitRepo());
  repo.write(LIVE_VIEW, flagText({ key: 'live-view', state, ...(extra ? { extra } : {}) }));
  repo.commit(at);
  return repo;
}
