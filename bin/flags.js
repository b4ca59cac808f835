#!/usr/bin/env node
// The `flags` command (`npx flags ...`). Runs the compiled JavaScript in .build/ when it was built
// from exactly the sources in scripts/, else the TypeScript sources through tsx: CI installs with
// --ignore-scripts (no build), and a developer who edits a .ts file must run the edit, never the
// stale build.
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { BUILD_DIR, readStamp, stampMatches } from './build-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = readStamp(root);
const fresh = stamp !== null && stampMatches(root, stamp);

/** @typedef {{ main: () => Promise<void> }} Cli */
/** @type {unknown} */
let cli;
if (fresh) {
  cli = /** @type {Cli} */ (
    await import(new URL(`../${BUILD_DIR}/js/cli.js`, import.meta.url).href)
  );
} else {
  if (stamp !== null && process.stderr.isTTY) {
    process.stderr.write(
      'flags: scripts/ changed since the last build; running the sources (npm run build makes it fast again)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../scripts/cli.ts', import.meta.url).href);
}
await /** @type {Cli} */ (cli).main();
