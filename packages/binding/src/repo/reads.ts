/** Read-side views of a repository for the binding and REST (docs/contract.md "Repo handle", "Result shapes"). */
import { isOid, parseSignature, type Commit, type ObjectDb, type Oid, type RepoStore, type TreeEntry } from "@artifacts-emulator/git";

export interface CommitMetadata {
  hash: string;
  treeHash: string;
  message: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
  parents: string[];
  authoredAt: number;
  committedAt: number;
}

export interface TreeEntryView {
  name: string;
  mode: string;
  hash: string;
  type: "tree" | "blob" | "symlink" | "gitlink" | "exec";
}

const utf8 = new TextDecoder();

/** Our parser keeps header bytes one char per byte (exact round trips); views decode them as UTF-8. */
const engineBytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const fromLatin1 = (s: string) => utf8.decode(engineBytes(s));

export function commitMetadata(hash: Oid, c: Commit): CommitMetadata {
  const a = parseSignature(c.author);
  const m = parseSignature(c.committer);
  const message = fromLatin1(c.message);
  return {
    hash,
    treeHash: c.tree,
    message: message.endsWith("\n") ? message.slice(0, -1) : message,
    author: { name: fromLatin1(a.name), email: fromLatin1(a.email) },
    committer: { name: fromLatin1(m.name), email: fromLatin1(m.email) },
    parents: [...c.parents],
    authoredAt: a.timestamp,
    committedAt: m.timestamp,
  };
}

export function treeEntryView(e: TreeEntry): TreeEntryView {
  const mode = e.mode === "040000" ? "40000" : e.mode;
  const type = mode === "40000" ? "tree" : mode === "120000" ? "symlink" : mode === "160000" ? "gitlink" : mode === "100755" ? "exec" : "blob";
  return { name: fromLatin1(e.name), mode, hash: e.oid, type };
}

/** Resolve a ref the way the simulator does (docs/contract.md "Repo handle"), peeled to a commit. */
export async function resolveRef(store: RepoStore, odb: ObjectDb, ref: string): Promise<Oid | undefined> {
  let oid: Oid | undefined;
  if (ref === "HEAD") oid = await store.readRef(await store.getHead());
  else if (isOid(ref)) oid = ref;
  else if (ref.startsWith("refs/heads/") || ref.startsWith("refs/tags/")) oid = await store.readRef(ref);
  else if (ref.startsWith("refs/")) return undefined;
  else oid = (await store.readRef(`refs/heads/${ref}`)) ?? (await store.readRef(`refs/tags/${ref}`));
  if (!oid) return undefined;
  const p = await odb.peel(oid);
  return p?.type === "commit" ? p.oid : undefined;
}

/** Find the entry at `path` (already normalised) under a commit's tree. */
export async function lookupPath(odb: ObjectDb, commit: Oid, path: string): Promise<TreeEntry | undefined> {
  let tree = (await odb.commit(commit)).tree;
  const parts = path.split("/");
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    // compare as UTF-8 text, the way tree entry names are shown (fromLatin1)
    const entry = (await odb.tree(tree)).find((e) => fromLatin1(e.name) === name);
    if (!entry) return undefined;
    if (i === parts.length - 1) return entry;
    if (entry.mode !== "40000" && entry.mode !== "040000") return undefined;
    tree = entry.oid;
  }
  return undefined;
}
