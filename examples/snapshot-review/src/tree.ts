/** Walking and comparing Git trees through the binding's readTree. */
export interface FileEntry {
  path: string;
  hash: string;
  type: ArtifactsTreeEntryType;
}

export interface Change {
  path: string;
  status: "added" | "modified" | "deleted";
}

const byPath = (a: FileEntry, b: FileEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Every non-directory entry under `tree`, breadth first, up to `limit`. */
export async function walkTree(repo: ArtifactsRepo, tree: string, limit: number): Promise<{ files: FileEntry[]; truncated: boolean }> {
  const files: FileEntry[] = [];
  const queue: Array<{ prefix: string; hash: string }> = [{ prefix: "", hash: tree }];
  while (queue.length) {
    const { prefix, hash } = queue.shift()!;
    for (const e of (await repo.readTree(hash)) ?? []) {
      const path = prefix + e.name;
      if (e.type === "tree") queue.push({ prefix: `${path}/`, hash: e.hash });
      else if (files.push({ path, hash: e.hash, type: e.type }) >= limit) return { files: files.sort(byPath), truncated: true };
    }
  }
  return { files: files.sort(byPath), truncated: false };
}

/** Files added, modified or deleted between two trees (null = empty), skipping identical subtrees. */
export async function diffTrees(repo: ArtifactsRepo, before: string | null, after: string | null, prefix = ""): Promise<Change[]> {
  if (before === after) return [];
  const read = async (h: string | null) => new Map(((h ? await repo.readTree(h) : null) ?? []).map((e) => [e.name, e]));
  const [a, b] = await Promise.all([read(before), read(after)]);
  const out: Change[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(name);
    const y = b.get(name);
    const path = prefix + name;
    if (x && y && x.hash === y.hash) continue;
    const xt = x?.type === "tree" ? x.hash : null;
    const yt = y?.type === "tree" ? y.hash : null;
    if (xt || yt) out.push(...(await diffTrees(repo, xt, yt, `${path}/`)));
    if (x && !xt && !(y && !yt)) out.push({ path, status: "deleted" });
    else if (y && !yt && !(x && !xt)) out.push({ path, status: "added" });
    else if (x && y && !xt && !yt) out.push({ path, status: "modified" });
  }
  return out;
}
