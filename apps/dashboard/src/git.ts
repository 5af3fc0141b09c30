/**
 * Reads a repository the way the dashboard needs, from the public REST routes only: `log` (to
 * resolve a ref to its commit), `tree/:hash`, `commit/:hash` and `blob/:hash`. Objects named by
 * hash are fetched once per page load. What the API has no route for (the files a commit changed)
 * is computed here by comparing trees, descending only into subtrees whose hashes differ.
 */
import { bytes, enc, get, getImmutable, type Commit, type TreeEntry } from "./api.js";

export interface RepoRef {
  ns: string;
  name: string;
}
const base = (r: RepoRef) => `/namespaces/${enc(r.ns)}/repos/${enc(r.name)}`;

/** The commit a ref (branch, tag, full ref or commit hash) points at, or null. */
export async function resolveRef(r: RepoRef, ref: string, signal?: AbortSignal): Promise<Commit | null> {
  const log = await get<Commit[]>(`${base(r)}/log?ref=${enc(ref)}&limit=1`, signal);
  return log[0] ?? null;
}

export function log(r: RepoRef, ref: string, limit: number, signal?: AbortSignal): Promise<Commit[]> {
  return get<Commit[]>(`${base(r)}/log?ref=${enc(ref)}&limit=${limit}`, signal);
}

export const readTree = (r: RepoRef, hash: string) => getImmutable<TreeEntry[]>(`${base(r)}/tree/${hash}`);
export const readCommit = (r: RepoRef, hash: string) => getImmutable<Commit>(`${base(r)}/commit/${hash}`);

/** Sorted as people expect: directories first, then by name. */
export function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) =>
    (a.type === "tree") === (b.type === "tree") ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === "tree" ? -1 : 1,
  );
}

export class PathNotFound extends Error {}

/** The entry at `path` under a root tree ("" is the root itself, as a tree entry). */
export async function entryAt(r: RepoRef, rootTree: string, path: string): Promise<TreeEntry> {
  let cur: TreeEntry = { name: "", mode: "40000", hash: rootTree, type: "tree" };
  for (const seg of path.split("/").filter(Boolean)) {
    if (cur.type !== "tree") throw new PathNotFound(`${path} is not in this tree`);
    const next = (await readTree(r, cur.hash)).find((e) => e.name === seg);
    if (!next) throw new PathNotFound(`No file or directory named ${path} at this ref`);
    cur = next;
  }
  return cur;
}

export interface Change {
  path: string;
  status: "added" | "deleted" | "modified" | "type changed";
  old?: TreeEntry;
  new?: TreeEntry;
}

const isFile = (e: TreeEntry) => e.type !== "tree";

/** Files that differ between two trees (null = the empty tree, for root commits). */
export async function diffTrees(r: RepoRef, a: string | null, b: string | null, limit = 2000): Promise<{ changes: Change[]; truncated: boolean }> {
  const out: Change[] = [];
  let truncated = false;
  const all = async (hash: string, prefix: string, side: "old" | "new") => {
    for (const e of sortEntries(await readTree(r, hash))) {
      if (out.length >= limit) return void (truncated = true);
      const p = prefix + e.name;
      if (e.type === "tree") await all(e.hash, `${p}/`, side);
      else out.push(side === "new" ? { path: p, status: "added", new: e } : { path: p, status: "deleted", old: e });
    }
  };
  const walk = async (x: string | null, y: string | null, prefix: string) => {
    if (x === y) return;
    const [ex, ey] = await Promise.all([x ? readTree(r, x) : [], y ? readTree(r, y) : []]);
    const mx = new Map(ex.map((e) => [e.name, e]));
    const my = new Map(ey.map((e) => [e.name, e]));
    const names = [...new Set([...mx.keys(), ...my.keys()])].sort();
    for (const n of names) {
      if (out.length >= limit) return void (truncated = true);
      const o = mx.get(n);
      const w = my.get(n);
      const p = prefix + n;
      if (o && w && o.hash === w.hash && o.mode === w.mode) continue;
      if (o && w && o.type === "tree" && w.type === "tree") await walk(o.hash, w.hash, `${p}/`);
      else if (o && w && isFile(o) && isFile(w))
        out.push({
          path: p,
          status:
            o.type === w.type || (o.type !== "symlink" && w.type !== "symlink" && o.type !== "gitlink" && w.type !== "gitlink") ? "modified" : "type changed",
          old: o,
          new: w,
        });
      else {
        if (o?.type === "tree") await all(o.hash, `${p}/`, "old");
        else if (o) out.push({ path: p, status: "deleted", old: o });
        if (w?.type === "tree") await all(w.hash, `${p}/`, "new");
        else if (w) out.push({ path: p, status: "added", new: w });
      }
    }
  };
  await walk(a, b, "");
  return { changes: out, truncated };
}

export interface BlobRead {
  bytes: Uint8Array;
  /** The whole blob's size (Content-Length). */
  size: number;
  /** Only the first `bytes.length` bytes were read. */
  partial: boolean;
}

/** A blob's bytes, reading at most `max` of them: a large file is never downloaded whole by accident. */
export async function readBlob(r: RepoRef, hash: string, max = Infinity, signal?: AbortSignal): Promise<BlobRead> {
  const res = await bytes(`${base(r)}/blob/${hash}`, signal ? { signal } : {});
  const declared = Number(res.headers.get("Content-Length") ?? NaN);
  if (!res.body) return { bytes: new Uint8Array(), size: 0, partial: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.byteLength;
    if (got >= max) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const n = Math.min(got, max);
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    const take = Math.min(c.byteLength, n - o);
    out.set(take === c.byteLength ? c : c.subarray(0, take), o);
    o += take;
    if (o >= n) break;
  }
  const size = Number.isFinite(declared) ? declared : got;
  return { bytes: out, size, partial: n < size };
}

/** Git's test: a NUL byte in the first 8000 bytes means binary. Text must also be valid UTF-8. */
export function asText(b: Uint8Array, partial = false): string | null {
  const head = b.subarray(0, 8000);
  if (head.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b, { stream: partial });
  } catch {
    return null;
  }
}

const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  ico: "image/x-icon",
  svg: "image/svg+xml",
};
export function imageType(path: string): string | undefined {
  return IMAGE_TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()];
}

/** Save a blob as a file (an explicit action, so large files are fine). */
export async function download(r: RepoRef, hash: string, filename: string) {
  const res = await bytes(`${base(r)}/blob/${hash}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
