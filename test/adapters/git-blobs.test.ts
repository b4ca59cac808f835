// Blobs stream out of one `git cat-file --batch`: each handed over whole, as soon as it is read,
// including blobs that span many pipe reads; a missing blob is an error that says so.
import { afterEach, describe, expect, it } from 'vitest';
import { GitRepo } from '../../scripts/adapters/git.ts';
import { GitError } from '../../scripts/core/errors.ts';
import { cleanupRepos, gitRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('GitRepo.readBlobs', () => {
  it('hands over every blob whole, once, whatever the pipe does to them', async () => {
    const repo = gitRepo();
    // 300 small files and a few near the 64 KiB limit: many blobs per read, and blobs over reads.
    const texts = new Map<string, string>();
    for (let i = 0; i < 300; i++)
      texts.set(`flags/t/f${i}.yaml`, `key: f${i}\nn: ${'x'.repeat(i)}\n`);
    for (let i = 0; i < 4; i++)
      texts.set(`flags/t/big${i}.yaml`, `${String(i)}${'y'.repeat(65_000)}\n`);
    texts.set('flags/t/same.yaml', 'key: f1\nn: x\n'); // the same bytes as f1: one blob
    for (const [path, text] of texts) repo.write(path, text);
    const head = repo.commit('2026-11-24T10:00:00Z');

    const git = new GitRepo(repo.dir);
    const tree = await git.listTree(head);
    const shas = tree.map((e) => e.blob);
    const seen: string[] = [];
    const blobs = await git.readBlobs(shas, (sha) => seen.push(sha));
    expect(seen.sort()).toEqual([...new Set(shas)].sort());
    expect(new Set(shas).size).toBe(texts.size - 1);
    for (const entry of tree)
      expect(blobs.get(entry.blob)?.toString('utf8'), entry.path).toBe(texts.get(entry.path));

    // Read again: the same contents, handed over again, without a second process to fail.
    const again: string[] = [];
    const cached = await git.readBlobs(shas.slice(0, 3), (sha) => again.push(sha));
    expect(again).toHaveLength(new Set(shas.slice(0, 3)).size);
    expect(cached.get(shas[0]!)?.equals(blobs.get(shas[0]!)!)).toBe(true);
  });

  it('reads the same blobs synchronously, for a caller that cannot wait', async () => {
    const repo = gitRepo();
    const texts = new Map<string, string>();
    for (let i = 0; i < 50; i++)
      texts.set(`flags/t/f${i}.yaml`, `key: f${i}\n${'z'.repeat(i * 97)}\n`);
    texts.set('flags/t/big.yaml', `${'y'.repeat(65_000)}\n`);
    for (const [path, text] of texts) repo.write(path, text);
    const head = repo.commit('2026-11-24T10:00:00Z');
    const git = new GitRepo(repo.dir);
    const tree = await git.listTree(head);
    const blobs = git.readBlobsSync(tree.map((e) => e.blob));
    for (const entry of tree)
      expect(blobs.get(entry.blob)?.toString('utf8'), entry.path).toBe(texts.get(entry.path));
    const missing = '1234567890abcdef1234567890abcdef12345678';
    expect(() => git.readBlobsSync([missing])).toThrow(`blob ${missing} is missing`);
  });

  it('says which blob is missing instead of returning short', async () => {
    const repo = gitRepo();
    repo.write('flags/t/a.yaml', 'key: a\n');
    repo.commit('2026-11-24T10:00:00Z');
    const git = new GitRepo(repo.dir);
    const missing = '1234567890abcdef1234567890abcdef12345678';
    const read = git.readBlobs([missing]);
    await expect(read).rejects.toBeInstanceOf(GitError);
    await expect(read).rejects.toThrow(`blob ${missing} is missing from the repository`);
  });
});
