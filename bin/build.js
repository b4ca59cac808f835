// `npm run build` (and `prepare`, so `npm ci` runs it): bundles scripts/cli.ts and the modules it
// loads into JavaScript chunks under .build/js/ with esbuild, so `npx flags` neither compiles
// TypeScript nor resolves hundreds of small module files on every run. The stamp is written
// last: a build that fails or is interrupted leaves none, and the bin runs the sources.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { register } from 'tsx/esm/api';
import { BUILD_DIR, STAMP_FILE, currentStamp } from './build-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, BUILD_DIR);

// The fingerprint is taken before bundling: a source edited during the build makes the stamp
// disagree with it, so that file's stale output is never run.
const stamp = currentStamp(root);
rmSync(out, { recursive: true, force: true });
const shapeValidator = await standaloneShapeValidator();
await build({
  entryPoints: [join(root, 'scripts/cli.ts')],
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Two levels below the root, like scripts/core/: `new URL('../../schema/...', import.meta.url)`
  // finds the same files from a chunk as from the source.
  outdir: join(out, 'js'),
  // CommonJS dependencies (ajv, yaml) call require() for node's own modules.
  banner: {
    js: "import { createRequire as __flagsRequire } from 'node:module'; const require = __flagsRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'precompiled-flag-shape',
      setup(b) {
        b.onLoad({ filter: /[\\/]scripts[\\/]core[\\/]flag-shape-validator\.ts$/ }, () => ({
          contents: shapeValidator,
          loader: 'js',
          resolveDir: join(root, 'scripts/core'),
        }));
      },
    },
  ],
  logLevel: 'warning',
});
/**
 * scripts/core/flag-shape-validator.ts as ajv's standalone code: the same schema and options,
 * compiled now instead of on every run. The schema file is part of the stamp, so an edited schema
 * makes the build stale.
 */
async function standaloneShapeValidator() {
  register();
  const { FLAG_SHAPE_AJV_OPTIONS } = await import('../scripts/core/flag-shape-validator.ts');
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const standalone = await import('ajv/dist/standalone/index.js');
  /** @type {unknown} */
  const schema = JSON.parse(readFileSync(join(root, 'schema/flag.schema.json'), 'utf8'));
  const ajv = new Ajv2020({ ...FLAG_SHAPE_AJV_OPTIONS, code: { source: true, esm: true } });
  const code = standalone.default.default(ajv, ajv.compile(/** @type {object} */ (schema)));
  return `${code}\nexport function flagShapeValidator() {\n  return validate;\n}\n`;
}

writeFileSync(join(out, `${STAMP_FILE}.tmp`), JSON.stringify(stamp));
renameSync(join(out, `${STAMP_FILE}.tmp`), join(out, STAMP_FILE));
