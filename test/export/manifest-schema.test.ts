// The OpenFeature manifest against the schema the OpenFeature CLI itself validates manifests with
// (`openfeature generate` refuses a manifest that fails it). The schema is the CLI's own file:
// open-feature/cli schema/v0/flag-manifest.json at tag v0.4.1 (commit 92361e67), Apache-2.0,
// copied unchanged to test/fixtures/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { ExportFlag } from '../../scripts/core/export/export-model.ts';
import { manifestArtifact } from '../../scripts/core/export/manifest.ts';

const ROOT = join(import.meta.dirname, '../..');
const schema = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/openfeature-cli-flag-manifest.v0.4.1.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const flag = (key: string, description: string): ExportFlag => ({
  key,
  description,
  owner: '@novalien/video',
  state: 'beta',
  since: null,
  manual: null,
  alphaOrgs: [],
});

describe('the OpenFeature manifest', () => {
  it('passes the OpenFeature CLI schema: the committed file and awkward keys', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(ROOT, 'generated/openfeature-manifest.json'), 'utf8'),
    );
    expect([validate(committed), validate.errors]).toEqual([true, null]);
    const awkward = manifestArtifact({
      flags: [flag('default', 'It\'s "quoted"\nover lines.'), flag('9-lives', ''), flag('x', 'x')],
    });
    expect([validate(JSON.parse(awkward.text)), validate.errors]).toEqual([true, null]);
  });

  it('is what the schema checks: a wrong type or a missing default fails it', () => {
    const doc = JSON.parse(manifestArtifact({ flags: [flag('a', 'A.')] }).text) as {
      flags: Record<string, Record<string, unknown>>;
    };
    expect(validate(doc)).toBe(true);
    expect(validate({ ...doc, flags: { a: { ...doc.flags.a, flagType: 'bool' } } })).toBe(false);
    expect(validate({ ...doc, flags: { a: { flagType: 'boolean' } } })).toBe(false);
    expect(validate({ ...doc, flags: { a: { ...doc.flags.a, defaultValue: 'off' } } })).toBe(false);
  });
});
