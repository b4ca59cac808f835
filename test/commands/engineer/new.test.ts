import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepos, gitRepo } from '../../helpers/git-repo.ts';
import { EDGE, flagText } from './fixtures.ts';

afterEach(cleanupRepos);

function repoWithEdge() {
  const repo = gitRepo();
  repo.write(
    EDGE,
    flagText({ key: 'edge-session-resume', owner: '@novalien/platform', state: 'beta' }),
  );
  return repo;
}

describe('flags new', () => {
  it("writes the flag at alpha in the owner's folder, with the schema line, and it validates", async () => {
    const repo = repoWithEdge();
    const codeowners = repo.read('CODEOWNERS');

    const run = await repo.cli([
      'new',
      'live-view',
      '--owner',
      '@novalien/video',
      '--description',
      'Live view streams over WebRTC.',
      '--depends-on',
      'edge-session-resume',
    ]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'Created flags/video/live-view.yaml: `live-view` at alpha, owned by @novalien/video',
    );
    expect(repo.read('flags/video/live-view.yaml')).toBe(
      '# yaml-language-server: $schema=../../schema/flag.schema.json\n' +
        'key: live-view\n' +
        'description: Live view streams over WebRTC.\n' +
        'owner: "@novalien/video"\n' +
        'state: alpha\n' +
        'revertible: true\n' +
        'depends_on:\n' +
        '  - edge-session-resume\n',
    );
    // /flags/video/ already names @novalien/video.
    expect(repo.read('CODEOWNERS')).toBe(codeowners);
    expect((await repo.cli(['validate'])).status).toBe(0);
  });

  it('adds the owner to CODEOWNERS when no rule names them for the new file', async () => {
    const repo = repoWithEdge();
    const run = await repo.cli([
      'new',
      'card-payments',
      '--owner',
      '@novalien/Payments',
      '--description',
      'Pay by card.',
      '--json',
    ]);
    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({
      ok: true,
      flag: 'card-payments',
      file: 'flags/payments/card-payments.yaml',
      codeowners: { file: 'CODEOWNERS', updated: true },
    });
    const codeowners = repo.read('CODEOWNERS');
    expect(codeowners).toContain('# BEGIN flags');
    expect(codeowners).toContain('/flags/payments/*.yaml @novalien/Payments');
    expect(codeowners).toContain('/flags/platform/*.yaml @novalien/platform');
    expect((await repo.cli(['validate'])).status).toBe(0);
  });

  it("uses the folder the owner's flags already live in, and a login's own folder", async () => {
    const repo = repoWithEdge();
    const team = await repo.cli([
      'new',
      'session-metrics',
      '--owner',
      '@NOVALIEN/platform',
      '--description',
      'Metrics.',
      '--json',
    ]);
    expect(team.json.file).toBe('flags/platform/session-metrics.yaml');
    const user = await repo.cli([
      'new',
      'lab-thing',
      '--owner',
      '@JDoe',
      '--description',
      'An experiment.',
      '--json',
    ]);
    expect(user.json.file).toBe('flags/jdoe/lab-thing.yaml');
    expect(user.json.codeowners.updated).toBe(true);
    expect(repo.read('CODEOWNERS')).toContain('/flags/jdoe/*.yaml @JDoe');
  });

  it('refuses a key that is taken anywhere in the tree', async () => {
    const repo = repoWithEdge();
    const run = await repo.cli([
      'new',
      'edge-session-resume',
      '--owner',
      '@novalien/video',
      '--description',
      'Again.',
    ]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      'key `edge-session-resume` is taken by flags/platform/edge-session-resume.yaml',
    );
    expect(existsSync(join(repo.dir, 'flags/video/edge-session-resume.yaml'))).toBe(false);
  });

  it('refuses an unknown dependency, suggesting the near one', async () => {
    const repo = repoWithEdge();
    const codeowners = repo.read('CODEOWNERS');
    const run = await repo.cli([
      'new',
      'live-view',
      '--owner',
      '@novalien/payments',
      '--description',
      'Live.',
      '--depends-on',
      'edge-session-resum,nope',
      '--json',
    ]);
    expect(run.status).toBe(1);
    expect(run.json.ok).toBe(false);
    const messages = run.json.violations.map((v: { message: string }) => v.message).join('\n');
    expect(messages).toContain(
      'unknown dependency `edge-session-resum`: no flag of that key under flags/; did you mean `edge-session-resume`?',
    );
    expect(messages).toContain('unknown dependency `nope`');
    expect(existsSync(join(repo.dir, 'flags/payments/live-view.yaml'))).toBe(false);
    expect(repo.read('CODEOWNERS')).toBe(codeowners);
  });

  it('answers malformed input with exit 2', async () => {
    const repo = repoWithEdge();
    const badKey = await repo.cli([
      'new',
      'Live_View',
      '--owner',
      '@novalien/video',
      '--description',
      'x',
    ]);
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toContain("'Live_View' is not a valid key");
    const badOwner = await repo.cli([
      'new',
      'live-view',
      '--owner',
      'novalien/video',
      '--description',
      'x',
    ]);
    expect(badOwner.status).toBe(2);
    expect(badOwner.stderr).toContain('--owner must be a GitHub team (@org/team) or user (@login)');
    const noDescription = await repo.cli(['new', 'live-view', '--owner', '@novalien/video']);
    expect(noDescription.status).toBe(2);
    expect(noDescription.stderr).toContain('--description is required');
  });
});
