import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { readExportSource } from '../adapters/export-input.ts';
import { colourEnabled, renderViolations, style } from '../adapters/terminal.ts';
import { UsageError } from '../core/errors.ts';
import { EXPORT_FORMATS, ExportRefusal, type ExportFormat } from '../core/export/export-model.ts';
import { ORG_CONTEXT_KEY } from '../core/export/flagd.ts';
import { GENERATED_FILES, needsHistory, renderArtifact } from '../core/export/render.ts';
import type { Violation } from '../core/model.ts';
import type { Command, CommandContext, OptionValues } from './command.ts';

interface Target {
  format: ExportFormat;
  /** Repository-relative, forward slashes. */
  path: string;
}

type FileStatus = 'written' | 'fresh' | 'stale' | 'missing';

interface ExportResult {
  ok: boolean;
  commit: string;
  check: boolean;
  flags: number;
  files: { format: ExportFormat; path: string; status: FileStatus }[];
  notes: string[];
  violations: Violation[];
}

const regenerate = (t: Target): string => `npx flags export --format ${t.format} --out ${t.path}`;

function isFormat(text: string): text is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(text);
}

/** The files to write or check, from --format, --out and --check. */
function targetsOf(values: OptionValues, cwd: string): { check: boolean; targets: Target[] } {
  const check = Boolean(values.check);
  const format = typeof values.format === 'string' ? values.format : undefined;
  const out = typeof values.out === 'string' ? values.out : undefined;
  if (format !== undefined && !isFormat(format))
    throw new UsageError(`--format '${format}' is not one of ${EXPORT_FORMATS.join(', ')}`);
  if (check && format === undefined && out === undefined)
    return { check, targets: [...GENERATED_FILES] };
  if (format === undefined || out === undefined)
    throw new UsageError(
      check
        ? 'give both --format and --out to check one file, or neither to check the generated files'
        : 'give --format flagd|manifest|typescript and --out PATH',
    );
  if (check && format === 'flagd')
    throw new UsageError(
      'flagd definitions carry their commit and the platform opt-ins: they are a deploy artifact, not a committed file to --check',
    );
  const abs = resolve(cwd, out);
  const inside = relative(cwd, abs).split('\\').join('/');
  const outside = inside === '' || isAbsolute(inside) || inside.startsWith('../');
  if (check && outside)
    throw new UsageError(
      `--out '${out}' is not a file in the repository: --check reads committed files`,
    );
  return { check, targets: [{ format, path: outside ? abs : inside }] };
}

export async function runExport(values: OptionValues, ctx: CommandContext): Promise<ExportResult> {
  const { check, targets } = targetsOf(values, ctx.cwd);
  const history = targets.some((t) => needsHistory(t.format));
  const source = await readExportSource({
    cwd: ctx.cwd,
    env: ctx.env,
    ref: typeof values.ref === 'string' ? values.ref : 'HEAD',
    history,
    platform: targets.some((t) => t.format === 'flagd'),
    platformUrl: typeof values['platform-url'] === 'string' ? values['platform-url'] : undefined,
  });
  const { input } = source;
  const result: ExportResult = {
    ok: false,
    commit: input.commit,
    check,
    flags: input.flags.length,
    files: [],
    notes: [],
    violations: source.loadErrors,
  };
  // An export that silently left out the flags of broken files would be worse than none.
  if (result.violations.length > 0) return result;
  for (const target of targets) {
    const artifact = renderArtifact(target.format, input);
    result.notes.push(...artifact.notes);
    if (check) {
      const committed = await source.git.readFileAt(input.commit, target.path);
      const status =
        committed === null ? 'missing' : committed === artifact.text ? 'fresh' : 'stale';
      result.files.push({ ...target, status });
    } else {
      const abs = resolve(ctx.cwd, target.path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, artifact.text);
      result.files.push({ ...target, status: 'written' });
    }
  }
  result.ok = result.files.every((f) => f.status === 'written' || f.status === 'fresh');
  return result;
}

function render(result: ExportResult, ctx: CommandContext): string {
  const s = style(colourEnabled(ctx.env, ctx.isTTY));
  const commit = result.commit.slice(0, 12);
  if (result.violations.length > 0) {
    return `${renderViolations(result.violations, s)}\n${s.red('✗')} the flags at ${commit} do not load: nothing exported (run \`npx flags validate\`)\n`;
  }
  const lines = result.files.map((f) => {
    if (f.status === 'written')
      return `${s.green('✓')} wrote ${f.path} (${f.format}, ${result.flags} flags, from ${commit})`;
    if (f.status === 'fresh')
      return `${s.green('✓')} ${f.path} is up to date with the flags at ${commit}`;
    const what = f.status === 'missing' ? 'is not committed' : 'is stale';
    return `${s.red('✗')} ${f.path} ${what} (flags at ${commit}): run \`${regenerate(f)}\` and commit it`;
  });
  return [...lines, ...result.notes.map((n) => `${s.yellow('note')}: ${n}`)].join('\n') + '\n';
}

export const command: Command = {
  name: 'export',
  summary: 'OpenFeature flagd definitions, the OpenFeature manifest, typed TypeScript accessors',
  usage: `export --format flagd|manifest|typescript --out PATH [--ref REF] [--platform-url URL] [--json]
       export --check [--format manifest|typescript --out PATH] [--ref REF] [--json]`,
  help: `Writes one artifact from the flags at a commit (default HEAD, read from git objects: commit
your flag edits first). Archived and removed flags are absent.

  flagd       flagd flag definitions (https://flagd.dev/schema/v0/flags.json) that any OpenFeature
              SDK with the flagd provider evaluates in process: one boolean flag per key, variants
              on/off, targeting on the evaluation context's '${ORG_CONTEXT_KEY}'. alpha: on for the
              internal orgs and alpha_orgs; beta: those and the orgs that opted in, unless they
              opted out; ga: every org but those that opted out. Opt-ins and opt-outs come from the
              platform (--platform-url or PLATFORM_API_URL); without one, beta is off and ga on for
              every customer org, and the file and the output say so. metadata: owner, state,
              since (the soak clock), commit. Needs the whole history.
  manifest    the OpenFeature CLI flag manifest, for 'openfeature generate <language>'.
  typescript  a module with the union of flag keys, one documented constant per flag and
              isFlagEnabled(client, key, orgId) over an OpenFeature client: a typo in a key does
              not compile.

The committed generated files are ${GENERATED_FILES.map((f) => `${f.path} (${f.format})`).join(' and ')};
'export --check' (the gate) regenerates each from the flags at the commit and compares it with
the file committed at that same commit. flagd definitions are published by the deploy instead.

Options:
  --format F          flagd, manifest or typescript
  --out PATH          the file to write (relative to the repository's root)
  --ref REF           the commit to read (default HEAD)
  --platform-url URL  read opt-ins and opt-outs for flagd (default PLATFORM_API_URL;
                      token in PLATFORM_API_TOKEN)
  --check             write nothing; exit 1 when a committed generated file is stale or missing
  --json              {ok, commit, check, flags, files: [{format, path, status}], notes, violations}

Exit status: 0 written (or up to date), 1 stale, missing, flags that do not load or constant
names that collide, 2 could not evaluate (bad option, unknown ref, shallow history for flagd,
the platform unreachable).`,
  options: {
    format: { type: 'string' },
    out: { type: 'string' },
    ref: { type: 'string' },
    'platform-url': { type: 'string' },
    check: { type: 'boolean' },
  },
  async run(values, _positionals, ctx) {
    let result: ExportResult;
    try {
      result = await runExport(values, ctx);
    } catch (error) {
      if (!(error instanceof ExportRefusal)) throw error;
      const message = `${error.message}\n`;
      if (values.json)
        ctx.stdout(
          JSON.stringify({ ok: false, error: { code: 'refused', message: error.message } }) + '\n',
        );
      else ctx.stdout(message);
      ctx.stderr(`flags export: ${message}`);
      return 1;
    }
    ctx.stdout(values.json ? JSON.stringify(result, null, 2) + '\n' : render(result, ctx));
    return result.ok ? 0 : 1;
  },
};
