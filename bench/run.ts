// npm run bench: every benchmark, printed as it finishes. Figures are ratios measured side by
// side in one run where there is something to compare against; the machine is shared and noisy.
import { benchCodeowners, benchHistory, benchHistoryLength, benchValidate } from './gate.ts';

const sections: [string, () => Promise<string[]> | string[]][] = [
  ['startup', async () => (await import('./startup.ts')).benchStartup()],
  ['validate', () => benchValidate()],
  ['check and status', () => benchHistory()],
  ['history length', () => benchHistoryLength()],
  ['codeowners size', () => benchCodeowners()],
  ['platform server load', async () => (await import('./platform-load.ts')).benchPlatformLoad()],
  ['deploy', async () => (await import('./deploy.ts')).benchDeploy()],
  ['export', async () => (await import('./export.ts')).benchExport()],
  ['refs', async () => (await import('./refs.ts')).benchRefs()],
  ['recheck', async () => (await import('./recheck.ts')).benchRecheck()],
];

const only = process.argv[2];
for (const [name, run] of sections) {
  if (only && !name.startsWith(only)) continue;
  console.log(`== ${name}`);
  for (const line of await run()) console.log(line);
  console.log('');
}
