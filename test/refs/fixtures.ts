// A flags repository and an application repository beside it, as real git repositories.
import { gitRepo, type TestRepo } from '../helpers/git-repo.ts';

export const KEYS = ['live-view', 'live-view-webrtc', 'clip-export-mp4', 'motion-heatmaps'];

/** The flags repository with KEYS under flags/video/, committed. */
export function flagsRepo(config?: string): TestRepo {
  const repo = gitRepo();
  for (const key of KEYS) repo.flag('video', { key });
  if (config !== undefined) repo.write('.github/flag-refs.yaml', config);
  repo.commit('2026-11-01T10:00:00Z', 'flags');
  return repo;
}

/** An application repository with references in several languages, and files git must skip. */
export function appRepo(): TestRepo {
  const app = gitRepo();
  app
    .write('.gitignore', 'build/\n')
    .write('.gitattributes', 'vendor/** linguist-vendored\n')
    .write(
      'web/player.ts',
      [
        "import { flags } from './flags';",
        'if (flags.liveViewWebrtc) startWebrtc();',
        "const legacy = isEnabled('live-view');",
      ].join('\n') + '\n',
    )
    .write('server/live.go', 'if client.Enabled("live-view") {\n\treturn nil\n}\n')
    .write('android/Player.java', 'if (Flags.LIVE_VIEW_WEBRTC) { play(); }\n')
    .write('api/views.py', 'def view():\n    # webrtc\n    return flag("live-view-webrtc")\n')
    .write('exports/Export.kt', 'val on = features.exportMp4Clip\nval x = useFlag("ghost-flag")\n')
    .write('docs/notes.md', 'LiveViewWebrtcSettings and --live-view-webrtc-debug are other names\n')
    .write('build/out.js', 'isEnabled("live-view")\n')
    .write('vendor/lib.js', 'isEnabled("live-view")\n')
    .write('assets/blob.bin', Buffer.from('\0\0live-view\0clip-export-mp4\n'));
  app.commit('2026-11-02T10:00:00Z', 'app');
  return app;
}

export function config(app: TestRepo, extra = ''): string {
  return [
    'sources:',
    '  - name: app',
    `    path: ${app.dir}`,
    '    repository: novalien/app',
    '    aliases:',
    '      clip-export-mp4: [exportMp4Clip]',
    `    pattern: "useFlag\\\\([\\"']([a-z0-9-]+)[\\"']\\\\)"`,
    extra,
  ].join('\n');
}
