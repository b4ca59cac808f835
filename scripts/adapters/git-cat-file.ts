// Blobs by SHA through one `git cat-file --batch` process: thousands of flag files read with one
// process and one pipe, each blob handed over as soon as its bytes are complete.
import { gitSync, spawnGit } from './git-process.ts';
import { GitError } from '../core/errors.ts';

/** `git cat-file --batch` over `shas`, each blob handed to `onBlob` as its bytes complete. */
export function catFileBatch(
  cwd: string,
  shas: readonly string[],
  onBlob: (sha: string, content: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // --buffer: one write per block, not one per object (thousands of tiny pipe reads).
    const child = spawnGit(cwd, ['cat-file', '--batch', '--buffer'], 'pipe');
    let stderr = '';
    let pending: Buffer = Buffer.alloc(0);
    let next = 0;
    let failure: Error | null = null;
    const fail = (error: Error): void => {
      failure ??= error;
      child.kill();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let pos = 0;
      while (next < shas.length) {
        const entry = batchEntry(pending, pos);
        if (entry === null) break;
        if (entry === 'missing') return fail(missing(shas[next]!));
        const end = entry.start + entry.size;
        if (pending.length < end + 1) break; // the rest of this blob is on its way
        try {
          onBlob(shas[next]!, pending.subarray(entry.start, end));
        } catch (error) {
          return fail(error as Error);
        }
        next++;
        pos = end + 1;
      }
      pending = pending.subarray(pos);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => fail(new GitError(`cannot run git cat-file: ${error.message}`)));
    child.on('close', (code) => {
      if (failure) return reject(failure);
      if (code !== 0) return reject(new GitError(`git cat-file failed: ${stderr.trim()}`));
      if (next < shas.length)
        return reject(new GitError(`git cat-file stopped after ${next} of ${shas.length} blobs`));
      resolve();
    });
    child.stdin.on('error', () => {}); // a child that died early is reported on 'close'
    child.stdin.end(shas.join('\n') + '\n');
  });
}

/**
 * `git cat-file --batch` over `shas`, synchronously: for a caller that cannot wait (a rule asking
 * the line of a field in a file whose parse was kept, so whose bytes were never read).
 */
export function catFileBatchSync(cwd: string, shas: readonly string[]): Map<string, Buffer> {
  let out: Buffer;
  try {
    out = gitSync(cwd, ['cat-file', '--batch'], shas.join('\n') + '\n');
  } catch (error) {
    throw new GitError(`git cat-file failed: ${(error as Error).message.trim()}`);
  }
  const blobs = new Map<string, Buffer>();
  let pos = 0;
  for (const sha of shas) {
    const entry = batchEntry(out, pos);
    if (entry === null || entry === 'missing') throw missing(sha);
    blobs.set(sha, out.subarray(entry.start, entry.start + entry.size));
    pos = entry.start + entry.size + 1;
  }
  return blobs;
}

/**
 * The object whose header line starts at `pos` of `git cat-file --batch` output (`<sha> <type>
 * <size>`, then the bytes and a newline): where its bytes start and how many there are; 'missing'
 * when git has no such object; null while the header line has not arrived whole.
 */
function batchEntry(out: Buffer, pos: number): { start: number; size: number } | 'missing' | null {
  const nl = out.indexOf(10, pos);
  if (nl === -1) return null;
  const header = out.toString('latin1', pos, nl);
  if (header.endsWith(' missing')) return 'missing';
  return { start: nl + 1, size: Number(header.split(' ')[2]) };
}

const missing = (sha: string): GitError =>
  new GitError(`blob ${sha} is missing from the repository (a partial or broken clone?)`);
