// Blobs by SHA through one `git cat-file --batch` process: thousands of flag files read with one
// process and one pipe, each blob handed over as soon as its bytes are complete.
import { execFileSync, spawn } from 'node:child_process';
import { GitError } from '../core/errors.ts';

/** `git cat-file --batch` over `shas`, each blob handed to `onBlob` as its bytes complete. */
export function catFileBatch(
  cwd: string,
  shas: readonly string[],
  onBlob: (sha: string, content: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // --buffer: one write per block, not one per object (thousands of tiny pipe reads).
    const child = spawn('git', ['cat-file', '--batch', '--buffer'], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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
        const nl = pending.indexOf(10, pos);
        if (nl === -1) break;
        const header = pending.toString('latin1', pos, nl);
        if (header.endsWith(' missing')) {
          return fail(
            new GitError(
              `blob ${shas[next]} is missing from the repository (a partial or broken clone?)`,
            ),
          );
        }
        const size = Number(header.split(' ')[2]);
        if (pending.length < nl + 1 + size + 1) break; // the rest of this blob is on its way
        try {
          onBlob(shas[next]!, pending.subarray(nl + 1, nl + 1 + size));
        } catch (error) {
          return fail(error as Error);
        }
        next++;
        pos = nl + 1 + size + 1;
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
    out = execFileSync('git', ['cat-file', '--batch'], {
      cwd,
      input: shas.join('\n') + '\n',
      maxBuffer: 1 << 30,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new GitError(`git cat-file failed: ${(error as Error).message.trim()}`);
  }
  const blobs = new Map<string, Buffer>();
  let pos = 0;
  for (const sha of shas) {
    const nl = out.indexOf(10, pos);
    const header = nl === -1 ? '' : out.toString('latin1', pos, nl);
    if (nl === -1 || header.endsWith(' missing'))
      throw new GitError(`blob ${sha} is missing from the repository (a partial or broken clone?)`);
    const size = Number(header.split(' ')[2]);
    blobs.set(sha, out.subarray(nl + 1, nl + 1 + size));
    pos = nl + 1 + size + 1;
  }
  return blobs;
}
