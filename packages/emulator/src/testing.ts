/**
 * Test helpers that run anywhere with Web APIs (workerd in Workers Vitest, Node 20+): put files in
 * an Artifacts repo with one commit, over the repo's Git smart-HTTP remote — what an agent's
 * `git push` does, without a git binary. In Workers Vitest, pass `fetcher: env.ARTIFACTS_EMULATOR_HTTP`
 * (the service's own `fetch`, bound by `artifactsTest`); in Node, the remote is reached over HTTP.
 *
 *   const { commit } = await pushFiles({ remote, token, files: { "README.md": "# hi\n" }, fetcher: env.ARTIFACTS_EMULATOR_HTTP });
 */
export interface FetcherLike {
  fetch(request: Request): Promise<Response>;
}

export interface PushFilesOptions {
  /** `https://…/git/<namespace>/<repo>.git`, as returned by `create()` or `info()`. */
  remote: string;
  /** A write token for the repo. */
  token: string;
  /** The commit's whole tree: path → content. Paths use `/`; files not listed are not in the commit. */
  files: Record<string, string | Uint8Array>;
  message?: string;
  branch?: string;
  author?: { name: string; email: string };
  /** Unix seconds (default now). */
  time?: number;
  fetcher?: FetcherLike;
}

export interface PushFilesResult {
  commit: string;
  tree: string;
  parent: string | null;
  ref: string;
}

const encoder = new TextEncoder();
const enc = { encode: (s: string) => encoder.encode(s) as Uint8Array<ArrayBuffer> };
const ZERO = "0".repeat(40);

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function sha1(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", data));
}

async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function pkt(line: string | Uint8Array): Uint8Array {
  const payload = typeof line === "string" ? enc.encode(line) : line;
  return concat([enc.encode((payload.length + 4).toString(16).padStart(4, "0")), payload]);
}

/** Parse pkt-lines into their payloads (flushes dropped). */
function pktLines(buf: Uint8Array): string[] {
  const out: string[] = [];
  const dec = new TextDecoder();
  for (let i = 0; i + 4 <= buf.length;) {
    const n = parseInt(dec.decode(buf.subarray(i, i + 4)), 16);
    if (!Number.isFinite(n)) break;
    if (n < 4) {
      i += 4;
      continue;
    }
    out.push(dec.decode(buf.subarray(i + 4, i + n)));
    i += n;
  }
  return out;
}

interface Obj {
  type: "blob" | "tree" | "commit";
  data: Uint8Array<ArrayBuffer>;
  oid: string;
}

async function gitObject(type: Obj["type"], data: Uint8Array<ArrayBuffer>): Promise<Obj> {
  return { type, data, oid: hex(await sha1(concat([enc.encode(`${type} ${data.length}\0`), data]))) };
}

type Dir = Map<string, Uint8Array<ArrayBuffer> | Dir>;

async function writeTree(dir: Dir, objects: Obj[]): Promise<string> {
  const entries: Array<{ name: string; mode: string; oid: string; isDir: boolean }> = [];
  for (const [name, v] of dir) {
    if (v instanceof Map) entries.push({ name, mode: "40000", oid: await writeTree(v, objects), isDir: true });
    else {
      const blob = await gitObject("blob", v);
      objects.push(blob);
      entries.push({ name, mode: "100644", oid: blob.oid, isDir: false });
    }
  }
  // Git's order: byte-wise by name, a directory compared as if its name ended in "/".
  const key = (e: { name: string; isDir: boolean }) => (e.isDir ? `${e.name}/` : e.name);
  entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const tree = await gitObject("tree", concat(entries.flatMap((e) => [enc.encode(`${e.mode} ${e.name}\0`), unhex(e.oid)])));
  objects.push(tree);
  return tree.oid;
}

async function packOf(objects: Obj[]): Promise<Uint8Array> {
  const header = new Uint8Array(12);
  header.set(enc.encode("PACK"));
  const view = new DataView(header.buffer);
  view.setUint32(4, 2);
  view.setUint32(8, objects.length);
  const parts: Uint8Array[] = [header];
  const typeNum = { commit: 1, tree: 2, blob: 3 } as const;
  for (const o of objects) {
    let size = o.data.length;
    const head: number[] = [(typeNum[o.type] << 4) | (size & 0x0f)];
    size >>>= 4;
    while (size > 0) {
      head[head.length - 1]! |= 0x80;
      head.push(size & 0x7f);
      size >>>= 7;
    }
    parts.push(Uint8Array.from(head), await deflate(o.data));
  }
  const body = concat(parts);
  return concat([body, await sha1(body)]);
}

/** One commit with exactly `files` on `branch` (default `main`), pushed over smart HTTP. */
export async function pushFiles(o: PushFilesOptions): Promise<PushFilesResult> {
  const f = o.fetcher ?? { fetch: (r: Request) => fetch(r) };
  const auth = { Authorization: `Bearer ${o.token}` };
  const ref = `refs/heads/${o.branch ?? "main"}`;
  const adv = await f.fetch(new Request(`${o.remote}/info/refs?service=git-receive-pack`, { headers: auth }));
  if (!adv.ok) throw new Error(`git-receive-pack advertisement: HTTP ${adv.status} ${await adv.text()}`);
  let parent: string | null = null;
  for (const line of pktLines(new Uint8Array(await adv.arrayBuffer()))) {
    const [oid, name] = line.split("\0")[0]!.trim().split(" ");
    if (name === ref && oid && oid !== ZERO) parent = oid;
  }

  const root: Dir = new Map();
  for (const [path, content] of Object.entries(o.files)) {
    const segs = path.split("/").filter(Boolean);
    let d = root;
    for (const s of segs.slice(0, -1)) {
      let next = d.get(s);
      if (!(next instanceof Map)) d.set(s, (next = new Map()));
      d = next;
    }
    d.set(segs[segs.length - 1]!, typeof content === "string" ? enc.encode(content) : new Uint8Array(content));
  }
  const objects: Obj[] = [];
  const tree = await writeTree(root, objects);
  const who = o.author ?? { name: "Test Agent", email: "agent@example.com" };
  const sig = `${who.name} <${who.email}> ${o.time ?? Math.floor(Date.now() / 1000)} +0000`;
  const text = `tree ${tree}\n${parent ? `parent ${parent}\n` : ""}author ${sig}\ncommitter ${sig}\n\n${o.message ?? "Update files"}\n`;
  const commit = await gitObject("commit", enc.encode(text));
  objects.push(commit);

  const body = concat([pkt(`${parent ?? ZERO} ${commit.oid} ${ref}\0report-status\n`), enc.encode("0000"), await packOf(objects)]);
  const res = await f.fetch(
    new Request(`${o.remote}/git-receive-pack`, { method: "POST", headers: { ...auth, "Content-Type": "application/x-git-receive-pack-request" }, body }),
  );
  const lines = pktLines(new Uint8Array(await res.arrayBuffer()));
  if (!res.ok || !lines.some((l) => l.startsWith("unpack ok")) || !lines.some((l) => l.startsWith(`ok ${ref}`))) {
    throw new Error(`push to ${o.remote} failed: HTTP ${res.status} ${lines.join(" | ")}`);
  }
  return { commit: commit.oid, tree, parent, ref };
}
