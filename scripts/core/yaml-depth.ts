// How deep a YAML text nests, found by a scan rather than by the parser: `yaml` recurses per
// level, so 30,000 nested brackets end in "Maximum call stack size exceeded" deep inside it.
// A flag file needs three levels (alpha_orgs -> entry -> org); anything near the limit is abuse.

export const MAX_YAML_DEPTH = 64;

/**
 * The first line where block indentation plus open flow brackets exceed `limit` levels, or null.
 * Quoted scalars and comments are skipped; it may over-count inside a block scalar (`|`), which
 * only matters for text holding dozens of nested brackets, and the parser decides below the limit.
 */
export function excessiveNesting(text: string, limit = MAX_YAML_DEPTH): number | null {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let i = 0;
    if (quote === null && flow === 0) {
      while (line[i] === ' ') i++;
      if (i === line.length || line[i] === '#') continue;
      while (indents.length > 0 && indents[indents.length - 1]! >= i) indents.pop();
      indents.push(i);
      // "- - - x" nests a sequence per dash on one line.
      while (line[i] === '-' && (line[i + 1] === ' ' || i + 1 === line.length)) {
        indents.push(i + 1);
        i += 2;
        while (line[i] === ' ') i++;
      }
    }
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== null) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = quote === "'" && line[i + 1] === "'" ? (i++, quote) : null;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || line[i - 1] === ' ')) break;
      else if (c === '[' || c === '{') flow++;
      else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (indents.length + flow > limit) return n + 1;
    }
    if (indents.length + flow > limit) return n + 1;
  }
  return null;
}
