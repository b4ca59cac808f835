// The typed accessors compile under tsc --strict, an application using them type-checks, a typo
// in a flag key is a compile error, and the helper answers through a real OpenFeature client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagdArtifact } from '../../scripts/core/export/flagd.ts';
import type { ExportFlag } from '../../scripts/core/export/export-model.ts';
import { typescriptModule } from '../../scripts/core/export/typescript.ts';
import { flagdClient } from './flagd-client.ts';

const ROOT = join(import.meta.dirname, '../..');

const flag = (key: string, more: Partial<ExportFlag> = {}): ExportFlag => ({
  key,
  description: `The ${key} feature.`,
  owner: '@novalien/video',
  state: 'alpha',
  since: null,
  manual: null,
  alphaOrgs: [],
  ...more,
});

const FLAGS: ExportFlag[] = [
  flag('clip-export-mp4', { state: 'ga', manual: 'https://docs.novavms.example/manual/clips' }),
  // Keys that are reserved words or not identifiers still get valid constant names.
  flag('default', { description: 'It\'s "quoted", */ ends no comment,\nand spans lines \\ too.' }),
  flag('new', { state: 'beta' }),
  flag('live-view-webrtc', { alphaOrgs: ['harbor-logistics'] }),
];

let dir: string;
beforeAll(() => {
  // Inside the repository, so `@openfeature/server-sdk` resolves from its node_modules.
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'node_modules/.cache/flags-export-ts-'));
  writeFileSync(join(dir, 'flags.ts'), typescriptModule({ flags: FLAGS }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** tsc --strict (and this repository's stricter options) on the generated module and `app`. */
let previous: ts.Program | undefined;
function compile(app: string): string[] {
  writeFileSync(join(dir, 'app.ts'), app);
  const options: ts.CompilerOptions = {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  // The previous program lends its parsed libraries: only app.ts is new each time.
  const program = ts.createProgram({
    rootNames: [join(dir, 'flags.ts'), join(dir, 'app.ts')],
    options,
    oldProgram: previous,
  });
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? d.file.fileName.slice(dir.length + 1) : ''} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    );
}

const APP = `import { OpenFeature } from '@openfeature/server-sdk';
import { CLIP_EXPORT_MP4, DEFAULT, NEW, flagsByKey, isFlagEnabled, type FlagKey } from './flags.ts';

const client = OpenFeature.getClient('app');

export async function clipExportOn(orgId: string): Promise<boolean> {
  const byKey = await isFlagEnabled(client, 'clip-export-mp4', orgId);
  const byConstant = await isFlagEnabled(client, CLIP_EXPORT_MP4, orgId, { targetingKey: 'user-1' });
  const key: FlagKey = DEFAULT.key;
  const manual: string | null = flagsByKey[key].manual;
  return byKey && byConstant && manual === null && NEW.state === 'beta';
}
`;

describe('typed TypeScript accessors', { timeout: 120_000 }, () => {
  it('compile under --strict with an application that uses them', () => {
    expect(compile(APP)).toEqual([]);
  });

  it('make a typo in a flag key a compile error', () => {
    const typo = APP.replace("'clip-export-mp4', orgId", "'clip-export-mp5', orgId");
    expect(typo).not.toBe(APP);
    const errors = compile(typo);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^app\.ts TS2345: .*'"clip-export-mp5"'.*FlagKey/);
    expect(
      compile(APP.replace('const key: FlagKey = DEFAULT.key', "const key: FlagKey = 'nope'")),
    ).toEqual([
      expect.stringMatching(/^app\.ts TS2322: Type '"nope"' is not assignable to type 'FlagKey'/),
    ]);
  });

  it('document each flag and keep its facts exact', async () => {
    const mod = await import(pathToFileURL(join(dir, 'flags.ts')).href);
    expect(mod.DEFAULT).toEqual({
      key: 'default',
      description: FLAGS[1]!.description,
      owner: '@novalien/video',
      state: 'alpha',
      manual: null,
    });
    expect(mod.CLIP_EXPORT_MP4.manual).toBe('https://docs.novavms.example/manual/clips');
    expect(Object.keys(mod.flagsByKey)).toEqual(FLAGS.map((f) => f.key));
    expect(mod.orgContextKey).toBe('orgId');
    const text = typescriptModule({ flags: FLAGS });
    expect(text).toContain(
      ' * Owner: `@novalien/video`. State: `ga`.\n * Manual: https://docs.novavms.example/manual/clips\n',
    );
    expect(text).toContain(
      ' * It\'s "quoted", *\\/ ends no comment,\n * and spans lines \\ too.\n',
    );
  });

  it('answer through an OpenFeature client what the flagd definitions say', async () => {
    const mod = await import(pathToFileURL(join(dir, 'flags.ts')).href);
    const definitions = flagdArtifact({
      commit: 'c'.repeat(40),
      flags: FLAGS,
      choices: { status: 'unknown', reason: 'test' },
    }).text;
    const client = await flagdClient(definitions, 'typed-accessors');
    const on = (key: string, org: string): Promise<boolean> => mod.isFlagEnabled(client, key, org);
    expect(await on('live-view-webrtc', 'harbor-logistics')).toBe(true);
    expect(await on('live-view-webrtc', 'novalien-internal')).toBe(true);
    expect(await on('live-view-webrtc', 'acme')).toBe(false);
    expect(await on('clip-export-mp4', 'acme')).toBe(true);
    expect(await mod.isFlagEnabled(client, mod.NEW, 'novalien-internal-staging')).toBe(true);
    expect(await on('new', 'acme')).toBe(false);
  });

  it('refuse keys whose constant names collide, naming both flags', () => {
    expect(() => typescriptModule({ flags: [flag('a-b'), flag('a_b'), flag('c')] })).toThrow(
      'flags `a-b` and `a_b` both take the constant name `A_B`: rename one of them',
    );
  });
});
