// Commit statuses and git data (refs, commits, trees, blobs).
import { blobJson, errorJson, gitCommitJson, refJson, statusJson, treeJson } from './shapes.ts';
import type { StubState } from './state.ts';
import { str, type Answer, type RouteRequest, type StubStatus } from './types.ts';

export function routeStatuses(stub: StubState, { route, body, page }: RouteRequest): Answer | null {
  let m: RegExpMatchArray | null;
  if ((m = route.match(/^POST \/statuses\/([0-9a-f]{40})$/))) {
    const status: StubStatus = {
      id: stub.nextId(),
      sha: m[1] as string,
      state: str(body['state']),
      context: str(body['context'], 'default'),
      description: (body['description'] as string | undefined) ?? null,
      targetUrl: (body['target_url'] as string | undefined) ?? null,
      createdAt: stub.tick(),
    };
    stub.statuses.push(status);
    return { status: 201, data: statusJson(stub, status) };
  }
  if ((m = route.match(/^GET \/commits\/([^/]+)\/statuses$/))) {
    const ref = m[1] as string;
    const sha = stub.refs.get(`heads/${ref}`) ?? ref;
    return page(
      stub.statuses
        .filter((s) => s.sha === sha)
        .reverse()
        .map((s) => statusJson(stub, s)),
    );
  }
  return null;
}

export function routeGitData(stub: StubState, { route, body }: RouteRequest): Answer | null {
  let m: RegExpMatchArray | null;
  if ((m = route.match(/^GET \/git\/ref\/(.+)$/))) {
    const sha = stub.refs.get(m[1] as string);
    if (!sha) return null;
    return { status: 200, data: refJson(stub, m[1] as string, sha) };
  }
  if ((m = route.match(/^GET \/git\/commits\/([0-9a-f]{40})$/))) {
    const commit = stub.commits.get(m[1] as string);
    if (!commit) return null;
    return { status: 200, data: gitCommitJson(stub, m[1] as string, commit) };
  }
  if (route === 'POST /git/blobs') {
    const content =
      body['encoding'] === 'base64'
        ? Buffer.from(str(body['content']), 'base64').toString('utf8')
        : str(body['content']);
    return { status: 201, data: blobJson(stub, stub.blob(content)) };
  }
  if (route === 'POST /git/trees') {
    const base = body['base_tree'] ? stub.trees.get(str(body['base_tree'])) : undefined;
    const tree = new Map(base ?? []);
    for (const entry of (body['tree'] as {
      path: string;
      sha?: string | null;
      content?: string;
    }[]) ?? []) {
      if (entry.content !== undefined) tree.set(entry.path, stub.blob(entry.content));
      else if (entry.sha === null) tree.delete(entry.path);
      else if (entry.sha) tree.set(entry.path, entry.sha);
    }
    return { status: 201, data: treeJson(stub, stub.tree(tree), tree) };
  }
  if (route === 'POST /git/commits') {
    const commit = {
      tree: str(body['tree']),
      parents: (body['parents'] as string[]) ?? [],
      message: str(body['message']),
    };
    return { status: 201, data: gitCommitJson(stub, stub.commit(commit), commit) };
  }
  if (route === 'POST /git/refs') {
    const ref = str(body['ref']).replace(/^refs\//, '');
    if (stub.refs.has(ref)) {
      return { status: 422, data: errorJson('Reference already exists') };
    }
    stub.refs.set(ref, str(body['sha']));
    return { status: 201, data: refJson(stub, ref, str(body['sha'])) };
  }
  return null;
}
