// The names a flag key takes in application code. The typed accessors (export) generate them and
// the code-reference scan (refs) looks for them, so both must derive them from this one place.

// ECMAScript reserved words and the strict-mode and TypeScript ones a `const` cannot take.
const RESERVED = new Set([
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'let',
  'new',
  'null',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'arguments',
  'eval',
  'undefined',
  'NaN',
  'Infinity',
  'any',
  'boolean',
  'number',
  'string',
  'symbol',
  'never',
  'unknown',
  'object',
  'type',
]);

function words(key: string): string[] {
  return key.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Makes `name` a valid identifier: a leading digit gets an underscore, a reserved word a `Flag` suffix. */
function identifier(name: string): string {
  const safe = name === '' ? '_' : /^[0-9]/.test(name) ? `_${name}` : name;
  return RESERVED.has(safe) ? `${safe}Flag` : safe;
}

/** `live-view-webrtc` -> `liveViewWebrtc` */
export function camelCaseName(key: string): string {
  const [first = '', ...rest] = words(key);
  return identifier(first.toLowerCase() + rest.map((w) => capitalise(w.toLowerCase())).join(''));
}

/** `live-view-webrtc` -> `LiveViewWebrtc` */
export function pascalCaseName(key: string): string {
  return identifier(
    words(key)
      .map((w) => capitalise(w.toLowerCase()))
      .join(''),
  );
}

/** `live-view-webrtc` -> `LIVE_VIEW_WEBRTC` */
export function screamingSnakeName(key: string): string {
  return identifier(
    words(key)
      .map((w) => w.toUpperCase())
      .join('_'),
  );
}

/** Keys whose derived names collide, as pairs `[first key, second key, name]`, in key order. */
export function nameCollisions(
  keys: readonly string[],
  name: (key: string) => string,
): [string, string, string][] {
  const seen = new Map<string, string>();
  const collisions: [string, string, string][] = [];
  for (const key of [...keys].sort()) {
    const derived = name(key);
    const other = seen.get(derived);
    if (other === undefined) seen.set(derived, key);
    else collisions.push([other, key, derived]);
  }
  return collisions;
}
