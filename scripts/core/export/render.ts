// One format's artifact from the export input, and where generated files live by default.
import type { Artifact, ExportFormat, ExportInput } from './export-model.ts';
import { flagdArtifact } from './flagd.ts';
import { manifestArtifact } from './manifest.ts';
import { typescriptArtifact } from './typescript.ts';

export function renderArtifact(format: ExportFormat, input: ExportInput): Artifact {
  switch (format) {
    case 'flagd':
      return flagdArtifact(input);
    case 'manifest':
      return manifestArtifact(input);
    case 'typescript':
      return typescriptArtifact(input);
  }
}

/**
 * The generated files committed to the repository, which `export --check` finds here. flagd
 * definitions are not among them: they carry the commit they came from and the platform's
 * opt-ins, so they are a deploy artifact, never a committed file.
 */
export const GENERATED_FILES: readonly { format: Exclude<ExportFormat, 'flagd'>; path: string }[] =
  [
    { format: 'manifest', path: 'generated/openfeature-manifest.json' },
    { format: 'typescript', path: 'generated/flags.ts' },
  ];

/** Whether a format's artifact needs history (the soak clock) or the platform. */
export function needsHistory(format: ExportFormat): boolean {
  return format === 'flagd';
}
