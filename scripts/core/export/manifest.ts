// The OpenFeature CLI's flag manifest (open-feature/cli, schema/v0/flag-manifest.json), so its
// code generators (`openfeature generate <language> -m <file>`) work from our flag files.
import type { Artifact, ExportInput } from './export-model.ts';

export const MANIFEST_SCHEMA =
  'https://raw.githubusercontent.com/open-feature/cli/refs/heads/main/schema/v0/flag-manifest.json';

export interface ManifestFlag {
  flagType: 'boolean';
  /** What an evaluation that fails returns: off, the safe side of every state. */
  defaultValue: false;
  description: string;
}

export function manifestDocument(input: Pick<ExportInput, 'flags'>): {
  $schema: string;
  flags: Record<string, ManifestFlag>;
} {
  const flags: Record<string, ManifestFlag> = {};
  for (const flag of input.flags) {
    flags[flag.key] = { flagType: 'boolean', defaultValue: false, description: flag.description };
  }
  return { $schema: MANIFEST_SCHEMA, flags };
}

export function manifestArtifact(input: Pick<ExportInput, 'flags'>): Artifact {
  return { text: JSON.stringify(manifestDocument(input), null, 2) + '\n', notes: [] };
}
