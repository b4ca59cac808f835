// "Did you mean": the names nearest to a misspelt one, wherever a name is looked up (commands,
// options, flag keys). Pure.

/** Up to `max` names close to `name`: containing it (or contained in it), or a few edits away. */
export function nearestNames(name: string, names: readonly string[], max = 3): string[] {
  const wanted = name.toLowerCase();
  return names
    .map((n) => {
      const candidate = n.toLowerCase();
      const contains =
        wanted.length >= 3 && (candidate.includes(wanted) || wanted.includes(candidate));
      return { n, d: contains ? 0 : editDistance(wanted, candidate) };
    })
    .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map(({ n }) => n);
}

/** " did you mean `a` or `b`?" (with the leading space), or "" when nothing is near. */
export function didYouMean(name: string, names: readonly string[], quote = '`'): string {
  const near = nearestNames(name, names);
  return near.length === 0
    ? ''
    : ` did you mean ${near.map((n) => `${quote}${n}${quote}`).join(' or ')}?`;
}

/** Levenshtein distance, with a transposition counted as one edit (Damerau, restricted). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
