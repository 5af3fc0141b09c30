/**
 * Fixture repos made by the real git (docs/conventions.md "Real fixtures"), and crafted smart-HTTP request bodies for the bad-input scenarios.
 *
 * `buildSourceRepo` is the source repo of docs/git-protocol.md "Conformance scenarios" minus the two slow parts, which are separate opt-in builders:
 * `addBigFile` (50 MB of random bytes) and `buildDeepHistory` (300 versions, `repack -adf --depth=250 --window=250`).
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dateEnv, type GitClient, type GitSandbox } from "./git";
import type { GitServer } from "./server";

export interface SourceRepo {
  client: GitClient;
  dir: string;
  /** first-parent history of main, oldest first */
  main: string[];
  /** commit dates (unix seconds) of `main`, same order */
  mainDates: number[];
  /** the commit carrying an extra header, made with `git hash-object -t commit -w --stdin` */
  extraHeaderCommit: string;
}

/** Deterministic pseudo-random bytes (SHA-256 in counter mode), so fixture object ids are stable across runs. */
export function seededBytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let off = 0, i = 0; off < length; i++) {
    const block = createHash("sha256").update(`${seed}:${i}`).digest();
    off += block.copy(out, off);
  }
  return out;
}

function unixOf(n: number): number {
  return 1577836800 + n * 86400;
}

/**
 * Builds the source repo in a new directory:
 * - main (first-parent, distinct dates): files of every kind, a gitlink, an extra-header commit, a merge of `side`;
 * - branches side, feature/x, ünï (non-ASCII ref), old-root (a second root commit);
 * - tags v0.9 (annotated), v1.0 (annotated), v1.0-nested (annotated tag of v1.0), v1.1 (lightweight),
 *   v2.0 (annotated, newest), blob-tag (lightweight, points at a blob).
 */
export async function buildSourceRepo(sb: GitSandbox, name = "src"): Promise<SourceRepo> {
  const dir = sb.path(name);
  await sb.ok(["init", "-q", "-b", "main", dir]);
  const g = sb.client(dir);
  let n = 0;
  const main: string[] = [];
  const mainDates: number[] = [];
  const onMain = async (message: string, files: Record<string, string | Buffer>): Promise<string> => {
    n += 1;
    const c = await g.commit(message, files, n);
    main.push(c);
    mainDates.push(unixOf(n));
    return c;
  };

  // 1: every kind of tree entry
  await mkdir(join(dir, "bin"));
  await writeFile(join(dir, "run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(join(dir, "run.sh"), 0o755);
  await symlink("README.md", join(dir, "link"));
  await onMain("initial: every kind of entry", {
    "README.md": "# fixture\n",
    empty: "",
    "bin/data.bin": seededBytes("bin", 8192),
    "ünïcödé/файл.txt": "non-ascii path\n",
    "dir/sub/deep.txt": "deep\n",
  });
  await g.ok(["tag", "-a", "-m", "v0.9", "v0.9"], { env: dateEnv(n) });

  // 2–3: gitlink (its commit does not exist anywhere, as with a submodule never fetched)
  await g.ok(["update-index", "--add", "--cacheinfo", "160000,1234567890abcdef1234567890abcdef12345678,sub"]);
  await onMain("add gitlink", {});
  await onMain("second", { "README.md": "# fixture\n\nv1\n", "bin/data.bin": seededBytes("bin2", 8192) });
  await g.ok(["tag", "-a", "-m", "release 1.0", "v1.0"], { env: dateEnv(n) });
  await g.ok(["tag", "-a", "-m", "tag of a tag", "v1.0-nested", "v1.0"], { env: dateEnv(n) });
  const blob = await g.line(["rev-parse", "HEAD:README.md"]);
  await g.ok(["tag", "blob-tag", blob]);

  // side branch, merged back with --no-ff
  await g.ok(["checkout", "-q", "-b", "side"]);
  n += 1;
  await g.commit("side 1", { "side.txt": "side 1\n" }, n);
  n += 1;
  await g.commit("side 2", { "side.txt": "side 1\nside 2\n" }, n);
  await g.ok(["checkout", "-q", "main"]);
  await onMain("main after fork", { "main.txt": "main\n" });
  n += 1;
  await g.ok(["merge", "-q", "--no-ff", "-m", "merge side", "side"], { env: dateEnv(n) });
  main.push(await g.line(["rev-parse", "HEAD"]));
  mainDates.push(unixOf(n));
  await g.ok(["tag", "v1.1"]);

  // a commit with an extra header
  n += 1;
  const tree = await g.line(["rev-parse", "HEAD^{tree}"]);
  const parent = await g.line(["rev-parse", "HEAD"]);
  const t = unixOf(n);
  const raw =
    `tree ${tree}\nparent ${parent}\n` +
    `author Conformance Test <test@example.com> ${t} +0000\n` +
    `committer Conformance Test <test@example.com> ${t} +0000\n` +
    `x-extra-header some value\n continued line\n\ncommit with an extra header\n`;
  const extraHeaderCommit = await g.line(["hash-object", "-t", "commit", "-w", "--stdin"], { input: raw });
  await g.ok(["update-ref", "refs/heads/main", extraHeaderCommit]);
  await g.ok(["reset", "-q", "--hard"]);
  main.push(extraHeaderCommit);
  mainDates.push(t);

  // more history with distinct dates (shallow-since / depth have something to cut)
  for (let i = 1; i <= 8; i++) {
    await onMain(`history ${i}`, { [`history/${i}.txt`]: `line ${i}\n`, "log.txt": `${"entry\n".repeat(i)}` });
  }
  await g.ok(["tag", "-a", "-m", "release 2.0", "v2.0"], { env: dateEnv(n) });

  // other branches
  await g.ok(["branch", "feature/x", main[5]!]);
  await g.ok(["checkout", "-q", "feature/x"]);
  n += 1;
  await g.commit("feature x", { "feature.txt": "x\n" }, n);
  await g.ok(["checkout", "-q", "-b", "ünï", main[7]!]);
  n += 1;
  await g.commit("non-ascii branch", { "zweig.txt": "ä\n" }, n);
  await g.ok(["checkout", "-q", "--orphan", "old-root"]);
  await g.ok(["rm", "-rq", "--cached", "."]);
  n += 1;
  await g.ok(["clean", "-fdxq"]);
  await g.commit("unrelated root", { "other.txt": "another root\n" }, n);
  await g.ok(["checkout", "-q", "-f", "main"]);
  return { client: g, dir, main, mainDates, extraHeaderCommit };
}

/** Commits a file of `megabytes` MB of random bytes (not compressible, so the pack is as big). Returns the commit id. */
export async function addBigFile(g: GitClient, megabytes = 50, name = "big.bin"): Promise<string> {
  await writeFile(join(g.dir, name), randomBytes(megabytes * 1024 * 1024));
  return g.commit(`add ${megabytes} MB ${name}`, {}, 500);
}

/**
 * Appends `versions` commits to `branch` with `git fast-import`, each changing one line of `file`
 * (so consecutive blobs delta well). Fast: one process for the whole history.
 */
export async function fastImportHistory(
  g: GitClient,
  opts: { branch: string; from?: string; count: number; file?: string; lines?: number; firstDay?: number; tagPrefix?: string },
): Promise<void> {
  const file = opts.file ?? "history.txt";
  const lines = opts.lines ?? 200;
  const parts: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const body = Array.from({ length: lines }, (_, l) => (l === i % lines ? `line ${l} version ${i}` : `line ${l}`)).join("\n");
    const msg = `${opts.branch} ${i}\n`;
    const t = unixOf((opts.firstDay ?? 1000) + i);
    parts.push(`commit refs/heads/${opts.branch}\nmark :${i + 1}\n`);
    parts.push(`committer Conformance Test <test@example.com> ${t} +0000\n`);
    parts.push(`data ${Buffer.byteLength(msg)}\n${msg}`);
    if (i === 0 && opts.from) parts.push(`from ${opts.from}\n`);
    const content = `${body}\n${opts.branch} ${i}\n`;
    parts.push(`M 100644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
    if (opts.tagPrefix) parts.push(`reset refs/tags/${opts.tagPrefix}${i + 1}\nfrom :${i + 1}\n\n`);
  }
  await g.ok(["fast-import", "--quiet"], { input: parts.join("") });
}

/** The spec's depth-250 repo: 300 versions of a text file, then `git repack -adf --depth=250 --window=250`. */
export async function buildDeepHistory(sb: GitSandbox, name = "deep"): Promise<GitClient> {
  const dir = sb.path(name);
  await sb.ok(["init", "-q", "-b", "main", dir]);
  const g = sb.client(dir);
  await fastImportHistory(g, { branch: "main", count: 300, file: "versions.txt", lines: 300 });
  await g.ok(["repack", "-adfq", "--depth=250", "--window=250"]);
  await g.ok(["checkout", "-q", "-f", "main"]);
  return g;
}

// ---------------------------------------------------------------------------------------------------------------------
// Crafted requests (gitprotocol-common "pkt-line Format", gitformat-pack "pack-*.pack files have the following format")
// ---------------------------------------------------------------------------------------------------------------------

export const ZERO_ID = "0".repeat(40);

/** One pkt-line: 4 hex digits of length (including themselves), then the payload. */
export function pkt(payload: string | Buffer): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, "0"), "ascii"), data]);
}

export const FLUSH = Buffer.from("0000", "ascii");
export const DELIM = Buffer.from("0001", "ascii");

/** A receive-pack request: command lines (capabilities on the first), flush, then the pack (if any). */
export function receivePackRequest(commands: { old: string; new: string; ref: string }[], pack: Buffer | null, caps = "report-status side-band-64k"): Buffer {
  const lines = commands.map((c, i) => pkt(`${c.old} ${c.new} ${c.ref}${i === 0 ? `\0 ${caps}` : ""}\n`));
  return Buffer.concat([...lines, FLUSH, ...(pack ? [pack] : [])]);
}

/** Recomputes the SHA-1 trailer of a (modified) pack, so only the deliberate damage is wrong. */
export function fixTrailer(pack: Buffer): Buffer {
  const body = pack.subarray(0, pack.length - 20);
  return Buffer.concat([body, createHash("sha1").update(body).digest()]);
}

/** Rewrites the object count in the 12-byte pack header (and the trailer). */
export function withObjectCount(pack: Buffer, count: number): Buffer {
  const copy = Buffer.from(pack);
  copy.writeUInt32BE(count, 8);
  return fixTrailer(copy);
}

/** Replaces the size in the header of the first entry (offset 12) with `size`, keeping the type; fixes the trailer. */
export function withFirstEntrySize(pack: Buffer, size: number): Buffer {
  let off = 12;
  const type = (pack[off]! >> 4) & 7;
  while (pack[off]! & 0x80) off++;
  off++;
  const header: number[] = [];
  let rest = Math.floor(size / 16);
  header.push((rest > 0 ? 0x80 : 0) | (type << 4) | (size % 16));
  while (rest > 0) {
    const b = rest % 128;
    rest = Math.floor(rest / 128);
    header.push((rest > 0 ? 0x80 : 0) | b);
  }
  return fixTrailer(Buffer.concat([pack.subarray(0, 12), Buffer.from(header), pack.subarray(off)]));
}

/** Flips bits of one byte. */
export function flipByte(buf: Buffer, offset: number): Buffer {
  const copy = Buffer.from(buf);
  const at = offset < 0 ? copy.length + offset : offset;
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

export interface PktParse {
  /** payloads of data pkt-lines, in order; flush = "0000", delim = "0001", response-end = "0002" */
  lines: string[];
  /** where parsing stopped short (not a valid pkt-line stream), if it did */
  error?: string;
}

/** Splits a buffer into pkt-lines (tolerant: records where it stops making sense). */
export function parsePktLines(buf: Buffer): PktParse {
  const lines: string[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 4) return { lines, error: `trailing ${buf.length - off} bytes` };
    const hex = buf.toString("latin1", off, off + 4);
    if (!/^[0-9a-f]{4}$/i.test(hex)) return { lines, error: `bad length ${JSON.stringify(hex)} at ${off}` };
    const len = parseInt(hex, 16);
    if (len < 4) {
      lines.push(hex);
      off += 4;
      continue;
    }
    if (off + len > buf.length) return { lines, error: `pkt-line of ${len} past the end at ${off}` };
    lines.push(buf.toString("latin1", off + 4, off + len));
    off += len;
  }
  return { lines };
}

export interface ReceivePackResult {
  /** report-status lines (`unpack …`, `ok …`, `ng …`), from band 1 when side-banded */
  status: string[];
  /** band 2 text (what git prints as `remote: …`) */
  progress: string;
  /** band 3 text (fatal) */
  fatal: string;
  /** `ERR …` lines outside the side band */
  errors: string[];
  /** non-empty when the body is not a well-formed pkt-line stream */
  malformed?: string;
}

/** Decodes a receive-pack response, with or without side-band-64k (which nests report-status inside band 1). */
export function parseReceivePackResponse(body: Buffer): ReceivePackResult {
  const outer = parsePktLines(body);
  const res: ReceivePackResult = { status: [], progress: "", fatal: "", errors: [] };
  if (outer.error) res.malformed = outer.error;
  const band1: Buffer[] = [];
  let sideband = false;
  for (const line of outer.lines) {
    if (line.length === 4 && /^000[0-2]$/.test(line)) continue;
    if (line.startsWith("ERR ")) {
      res.errors.push(line.slice(4).trim());
      continue;
    }
    const band = line.charCodeAt(0);
    if (band >= 1 && band <= 3) {
      sideband = true;
      const data = Buffer.from(line.slice(1), "latin1");
      if (band === 1) band1.push(data);
      else if (band === 2) res.progress += data.toString("utf8");
      else res.fatal += data.toString("utf8");
      continue;
    }
    res.status.push(line.replace(/\n$/, ""));
  }
  if (sideband) {
    const inner = parsePktLines(Buffer.concat(band1));
    if (inner.error) res.malformed = `band 1: ${inner.error}`;
    for (const line of inner.lines) {
      if (/^000[0-2]$/.test(line)) continue;
      if (line.startsWith("ERR ")) res.errors.push(line.slice(4).trim());
      else res.status.push(line.replace(/\n$/, ""));
    }
  }
  return res;
}

/** Creates `repo` on `srv` and pushes every ref of `from` into it (`git push --mirror`). */
export async function seed(srv: GitServer, repo: string, from: GitClient): Promise<void> {
  await srv.createRepo(repo);
  await from.ok(["push", "-q", "--mirror", srv.url(repo)]);
}

/**
 * Like `seed`, but in pushes of at most `batch` refs: docs/git-protocol.md "Limits" caps a push at 1,000 ref updates, so a repo with more
 * refs than that has to arrive in several pushes (git http-backend has no such cap).
 */
export async function seedInBatches(srv: GitServer, repo: string, from: GitClient, batch = 500): Promise<void> {
  await srv.createRepo(repo);
  const refs = (await from.ok(["for-each-ref", "--format=%(refname)"])).split("\n").filter(Boolean);
  for (let i = 0; i < refs.length; i += batch) {
    await from.ok(["push", "-q", srv.url(repo), ...refs.slice(i, i + batch).map((r) => `${r}:${r}`)]);
  }
}

/** The v0 ref advertisement of `url` for `service`: refs in order and the capabilities of the first line. */
export async function advertisement(url: string, service: "git-upload-pack" | "git-receive-pack"): Promise<{ refs: string[]; caps: string[] }> {
  const res = await fetch(`${url}/info/refs?service=${service}`, { signal: AbortSignal.timeout(20_000) });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`GET info/refs?service=${service} → ${res.status}`);
  const lines = parsePktLines(body).lines.filter((l) => !/^000[0-2]$/.test(l) && !l.startsWith("# service="));
  const first = lines[0] ?? "";
  const nul = first.indexOf("\0");
  const caps =
    nul < 0
      ? []
      : first
          .slice(nul + 1)
          .trim()
          .split(" ");
  const refs = lines.map((l, i) => (i === 0 && nul >= 0 ? l.slice(0, nul) : l).trim());
  return { refs, caps };
}

/** POSTs a raw receive-pack request (with a timeout: a hang is a failure) and decodes the answer. */
export async function postReceivePack(
  url: string,
  body: Buffer,
  timeoutMs = 20_000,
): Promise<{ status: number; contentType: string | null; body: Buffer; report: ReceivePackResult }> {
  const res = await fetch(`${url}/git-receive-pack`, {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "Content-Type": "application/x-git-receive-pack-request" },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, contentType: res.headers.get("content-type"), body: buf, report: parseReceivePackResponse(buf) };
}

/** Ids of the annotated tag objects of `g` (what include-tag would add to a pack). */
export async function annotatedTagIds(g: GitClient): Promise<Set<string>> {
  const lines = (await g.ok(["for-each-ref", "--format=%(objectname) %(objecttype)", "refs/tags"])).split("\n");
  return new Set(lines.filter((l) => l.endsWith(" tag")).map((l) => l.split(" ")[0]!));
}

/**
 * An outcome without tags: `refs/tags/*` lines of `refs` and tag objects' lines of `objects` dropped, at any depth.
 * Our server does not offer include-tag to v0/v1 clients (the contract names it unsupported; docs/contract-choices.md),
 * so the tags a v0 shallow or single-branch clone gets from git http-backend through it are compared without them.
 */
export function withoutTags<T>(x: T, tagIds: ReadonlySet<string>): T {
  if (Array.isArray(x)) return x.map((v) => withoutTags(v, tagIds)) as T;
  if (!x || typeof x !== "object") return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === "refs" && typeof v === "string")
      out[k] = v
        .split("\n")
        .filter((l) => !/ refs\/tags\//.test(l))
        .join("\n");
    else if (k === "objects" && typeof v === "string")
      out[k] = v
        .split("\n")
        .filter((l) => !tagIds.has(l.split(" ")[0]!))
        .join("\n");
    else out[k] = withoutTags(v, tagIds);
  }
  return out as T;
}
