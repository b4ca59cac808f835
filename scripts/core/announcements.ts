// What the runbook asks to post after a promotion, as text: for beta, the feature summary, the
// /admin/feature-flags opt-in path and the manual link; for GA, the same with the named revert
// path. Pure.
import type { Flag, State } from './model.ts';

export interface Announcement {
  flag: string;
  state: Exclude<State, 'alpha'>;
  /** Where the runbook says it goes. */
  channel: string;
  title: string;
  /** Markdown. */
  text: string;
}

export const OPT_IN_PATH = '/admin/feature-flags';

function manualLine(flag: Flag): string {
  return flag.manual ? `Manual: ${flag.manual}` : 'Manual: no public manual page yet.';
}

function summary(flag: Flag): string {
  const text = flag.description.trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function announcementFor(flag: Flag, state: Exclude<State, 'alpha'>): Announcement {
  const key = flag.key;
  if (state === 'beta') {
    return {
      flag: key,
      state,
      channel: 'customer release channel',
      title: `Beta: ${key}`,
      text: [
        `**${key}** is now in beta. ${summary(flag)}`,
        `Customer orgs can opt in at ${OPT_IN_PATH} (nothing changes for an org until it does).`,
        manualLine(flag),
        `Owner: ${flag.owner}.`,
      ].join('\n'),
    };
  }
  return {
    flag: key,
    state,
    channel: 'customer release channel',
    title: `GA: ${key}`,
    text: [
      `**${key}** is now generally available: on by default for every org that has not opted out. ${summary(flag)}`,
      manualLine(flag),
      `Revert path (named, for ${key}): \`POST /api/v1/platform/feature-flags/${key}/state\` with \`{"state": "alpha"}\`; orgs lose the feature within 60 seconds. Then post the revert reason and the incident link in #novavms-releases, open a postmortem, and record it here with \`npx flags revert ${key} --reason "..." --incident URL\`. Owner: ${flag.owner}.`,
    ].join('\n'),
  };
}

/** One announcement per promoted flag, for the highest state it reached (ga covers beta). */
export function announcementsFor(promotions: readonly { flag: Flag; to: State }[]): Announcement[] {
  // The first ga of a key, else its first beta (the caller passes one Flag object per key).
  const highest = new Map<string, { flag: Flag; to: Exclude<State, 'alpha'> }>();
  for (const to of ['ga', 'beta'] as const)
    for (const p of promotions)
      if (p.to === to && !highest.has(p.flag.key)) highest.set(p.flag.key, { flag: p.flag, to });
  // Keys are unique in the map; the built-in sort orders them by UTF-16 code units, as `<` does.
  return [...highest.keys()].sort().map((key) => {
    const p = highest.get(key)!;
    return announcementFor(p.flag, p.to);
  });
}
