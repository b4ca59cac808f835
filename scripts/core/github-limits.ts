// GitHub's limits, as part of the design: what GitHub refuses or silently drops is fitted here,
// and what does not fit is summarised with its total, never lost without a word. Pure.

/** Issue, pull request and comment bodies: GitHub answers 422 above this many characters. */
export const BODY_MAX_CHARS = 65_536;
/** A step's job summary: GitHub drops the whole summary above 1 MiB. */
export const JOB_SUMMARY_MAX_BYTES = 1024 * 1024;
/** GitHub shows this many error and this many warning annotations per step, and drops the rest. */
export const ANNOTATIONS_PER_LEVEL = 10;
/**
 * GitHub's secondary limits: "In general, no more than 80 content-generating requests per minute
 * and no more than 500 content-generating requests per hour are allowed."
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
 */
export const CONTENT_CREATION_PER_MINUTE = 80;
export const CONTENT_CREATION_PER_HOUR = 500;
/**
 * Writes one removal pull request costs, measured in the GitHub stand-in
 * (test/github/report-limits.test.ts, which fails when the adapter's cost changes): a tree, a
 * commit, a ref, the pull request, its labels, the review request and the assignee.
 */
export const WRITES_PER_REMOVAL_PR = 7;
/**
 * The share of an hour's content creation one report run may spend on removal pull requests.
 * The workflow token's limit is shared with every workflow of the repository (the gate's
 * comments and statuses, the report issue, reference issues) and a run can be started by hand.
 */
export const REMOVAL_CONTENT_SHARE = 0.3;
/**
 * Removal pull requests opened per report run: 21 (147 writes, 29% of the hour's 500). The
 * minute's 80 is held by the client's pacing (one write a second, octokit's throttling), so 60
 * at most. The rest wait for the next run, and the report says so.
 */
export const REMOVAL_PRS_PER_RUN = Math.floor(
  (CONTENT_CREATION_PER_HOUR * REMOVAL_CONTENT_SHARE) / WRITES_PER_REMOVAL_PR,
);

/** A list that may be cut: its items are dropped from the end, then `more` says how many. */
export interface FitList {
  /** Text before the items (a heading, a table header), kept whole. */
  head?: string;
  items: readonly string[];
  /** Joins the items (and the head to the first). Default a newline. */
  joiner?: string;
  /** The line that replaces what was cut: says the number shown and the total. */
  more: (shown: number, total: number) => string;
}

export type FitPart = string | FitList;

/** `1,500`: totals are read by people. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Joins `parts` with `separator` into at most `max` units (characters, or whatever `size`
 * measures). Lists are cut first, each to a fair share of the room the plain parts leave; only
 * when the plain parts alone are too long is the text cut at the end, with `overflow` said there.
 */
export function fitParts(
  parts: readonly FitPart[],
  max: number,
  options: { separator?: string; overflow?: string; size?: (text: string) => number } = {},
): string {
  const separator = options.separator ?? '\n\n';
  const size = options.size ?? ((s: string) => s.length);
  const full = parts.map((p) => (typeof p === 'string' ? p : renderList(p, p.items.length)));
  const whole = full.join(separator);
  if (size(whole) <= max) return whole;

  const lists = parts.filter((p): p is FitList => typeof p !== 'string');
  const fixed = parts.map((p) => (typeof p === 'string' ? p : renderList(p, 0))).join(separator);
  let room = max - size(fixed);
  const shown = new Map<FitList, number>();
  // Smallest lists first, so a short list is shown whole and a long one takes what is left.
  const wholeSize = new Map(lists.map((l) => [l, size(renderList(l, l.items.length))]));
  const bySize = [...lists].sort((a, b) => (wholeSize.get(a) ?? 0) - (wholeSize.get(b) ?? 0));
  bySize.forEach((list, i) => {
    const share = Math.max(0, Math.floor(room / (bySize.length - i)));
    const empty = size(renderList(list, 0));
    let n = 0;
    let used = 0;
    const joiner = size(list.joiner ?? '\n');
    // The `more` line grows by a few digits at most; the margin keeps the sum under the share.
    while (n < list.items.length) {
      const next = used + size(list.items[n] ?? '') + joiner;
      if (next + 16 > share) break;
      used = next;
      n += 1;
    }
    shown.set(list, n);
    room -= n === list.items.length ? size(renderList(list, n)) - empty : used;
  });
  const text = parts
    .map((p) => (typeof p === 'string' ? p : renderList(p, shown.get(p) ?? 0)))
    .join(separator);
  return size(text) <= max ? text : cutAt(text, max, options.overflow ?? '…', size);
}

function renderList(list: FitList, n: number): string {
  const joiner = list.joiner ?? '\n';
  const items = list.items.slice(0, n);
  const cut = n < list.items.length ? [list.more(n, list.items.length)] : [];
  const body = [list.head, ...items].filter((s): s is string => s !== undefined).join(joiner);
  return [body, ...cut].filter(Boolean).join('\n\n');
}

function cutAt(text: string, max: number, overflow: string, size: (t: string) => number): string {
  const tail = `\n\n${overflow}`;
  // The longest prefix that fits, found by halving: characters and bytes differ for non-ASCII
  // text, and a prefix's size never shrinks as it grows. No prefix longer than the room left
  // fits (a character is at least one of either); the empty one is the floor even when the note
  // alone is over the limit.
  let fits = 0;
  let over = Math.max(0, max - size(tail));
  if (size(text.slice(0, over) + tail) <= max) fits = over;
  while (over - fits > 1) {
    const mid = (fits + over) >>> 1;
    if (size(text.slice(0, mid) + tail) <= max) fits = mid;
    else over = mid;
  }
  return clipChars(text, fits) + tail; // a shorter prefix fits as well
}

/**
 * The first `max` UTF-16 units of `text` (what GitHub counts as characters), never ending
 * between the two halves of a surrogate pair: half an emoji would show as a broken character.
 */
export function clipChars(text: string, max: number): string {
  const end = Math.max(0, max);
  const split = isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end));
  return text.slice(0, split ? end - 1 : end);
}

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** The annotations GitHub will show: up to 10 per level; what was cut, counted per level. */
export function capAnnotations<T extends { level: 'error' | 'warning' | 'notice' }>(
  annotations: readonly T[],
  alreadyShown: Readonly<Record<'error' | 'warning' | 'notice', number>> = {
    error: 0,
    warning: 0,
    notice: 0,
  },
): { shown: T[]; left: Record<'error' | 'warning' | 'notice', number> } {
  const used = { ...alreadyShown } as Record<'error' | 'warning' | 'notice', number>;
  const left = { error: 0, warning: 0, notice: 0 };
  const shown: T[] = [];
  for (const a of annotations) {
    if (used[a.level] < ANNOTATIONS_PER_LEVEL) {
      used[a.level] += 1;
      shown.push(a);
    } else {
      left[a.level] += 1;
    }
  }
  return { shown, left };
}
