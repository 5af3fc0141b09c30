/**
 * A corpus of hostile smart-HTTP requests (issue: "Reliability harness"): broken packs, lying sizes, bad deltas,
 * malformed pkt-lines, lying Content-Length, gzip bombs, invalid ref commands and objects git's fsck refuses.
 * Every case must get a clean refusal (HTTP 4xx, `ERR`, band 3, `unpack <error>` or every command `ng`), never a 500
 * or a dropped connection, and must change no ref. Used by test/reliability/hostile.test.ts and by the memory script
 * (bench/hostile-memory.ts); no vitest import.
 */
import { connect } from "node:net";
import { deflateSync, gzipSync } from "node:zlib";
import { buildPack, delta, gitObject, OBJ, rawCommit, rawTree, type RawEntry, withTrailer } from "./pack-builder";
import { DELIM, FLUSH, parsePktLines, parseReceivePackResponse, pkt, receivePackRequest, ZERO_ID } from "./fixtures";

/** What the corpus needs to know about the target repo (seeded by the caller). */
export interface Target {
  /** main's commit, its tree and one blob of it */
  head: string;
  tree: string;
  blob: string;
}

export interface HostileCase {
  name: string;
  service: "git-receive-pack" | "git-upload-pack";
  body: () => Buffer;
  headers?: Record<string, string>;
  /** Send with this Content-Length instead of the body's own (a lying client), over a raw socket. */
  contentLength?: number;
  /** The exact status expected, when there is one (default: any clean refusal). */
  status?: number;
}

export interface HostileResult {
  status: number;
  body: Buffer;
  /** Why the answer is a clean refusal, or null when it is not one. */
  refusal: string | null;
}

const MiB = 1024 * 1024;
const V2 = { "Git-Protocol": "version=2" };

const push = (pack: Buffer | null, ref = "refs/heads/hostile", newId = "1".repeat(40), caps = "report-status side-band-64k") =>
  receivePackRequest([{ old: ZERO_ID, new: newId, ref }], pack, caps);

/** A pack of a new commit on top of main whose tree is `treeRows` (plus those objects), pushed to refs/heads/hostile. */
function objectsPush(_t: Target, objects: Array<{ id: string; type: number; data: Buffer }>, tip: string): Buffer {
  return push(buildPack(objects.map((o) => ({ type: o.type, data: o.data }))), "refs/heads/hostile", tip);
}

function treePush(t: Target, rows: Array<[string, string, string]>): Buffer {
  const tree = gitObject("tree", rawTree(rows));
  const commit = gitObject("commit", rawCommit(tree.id, [t.head]));
  return objectsPush(t, [tree, commit], commit.id);
}

function commitPush(t: Target, data: Buffer): Buffer {
  const commit = gitObject("commit", data);
  return objectsPush(t, [commit], commit.id);
}

/** A good three-object pack (blob, tree, commit on main): the base most damaged packs start from. */
export function goodPush(t: Target): { body: Buffer; pack: Buffer; tip: string; blob: { id: string; data: Buffer } } {
  const blob = gitObject("blob", Buffer.from("hostile corpus blob\n".repeat(50)));
  const tree = gitObject("tree", rawTree([["100644", "file.txt", blob.id]]));
  const commit = gitObject("commit", rawCommit(tree.id, [t.head]));
  const pack = buildPack([blob, tree, commit].map((o) => ({ type: o.type, data: o.data })));
  return { body: push(pack, "refs/heads/hostile", commit.id), pack, tip: commit.id, blob };
}

/** A pack whose second entry is a delta against the first (a blob), with the given instructions. */
function deltaPush(t: Target, instructions: Buffer, extra: Partial<RawEntry> = {}): Buffer {
  const { blob } = goodPush(t);
  return push(
    buildPack([
      { type: OBJ.blob, data: blob.data },
      { type: OBJ.ofsDelta, ofsTo: 0, data: instructions, ...extra },
    ]),
  );
}

/** The pack with another object count in its header (trailer recomputed). */
function setCount(pack: Buffer, count: number): Buffer {
  const copy = Buffer.from(pack.subarray(0, pack.length - 20));
  copy.writeUInt32BE(count >>> 0, 8);
  return withTrailer(copy);
}

let bombCache: Buffer | undefined;
/** 120 MiB of zeros in ~120 KB of gzip: past the 100 MiB body limit once inflated. */
function gzipBomb(): Buffer {
  return (bombCache ??= gzipSync(Buffer.alloc(120 * MiB), { level: 9 }));
}

export function hostileCases(t: Target, limits = { maxObjectSize: 32 * MiB }): HostileCase[] {
  const rp = (name: string, body: () => Buffer, extra: Partial<HostileCase> = {}): HostileCase => ({ name, service: "git-receive-pack", body, ...extra });
  const up = (name: string, body: () => Buffer, extra: Partial<HostileCase> = {}): HostileCase => ({ name, service: "git-upload-pack", body, ...extra });
  const good = () => goodPush(t);
  const big = limits.maxObjectSize;
  const zeros16 = deflateSync(Buffer.alloc(16 * MiB)); // 16 MiB of (invalid, reserved-op) delta instructions in ~16 KiB
  const cases: HostileCase[] = [
    // ── packs ──────────────────────────────────────────────────────────────────
    rp("truncated pack (last 30 bytes cut)", () => push(good().pack.subarray(0, good().pack.length - 30), "refs/heads/hostile", good().tip)),
    rp("pack header only", () => push(good().pack.subarray(0, 12))),
    rp("bad trailer", () => {
      const p = Buffer.from(good().pack);
      p[p.length - 1]! ^= 0xff;
      return push(p, "refs/heads/hostile", good().tip);
    }),
    rp("object count one too high", () => push(setCount(good().pack, 4), "refs/heads/hostile", good().tip)),
    rp("object count one too low", () => push(setCount(good().pack, 2), "refs/heads/hostile", good().tip)),
    rp("object count 2^32-1", () => push(setCount(good().pack, 0xffffffff), "refs/heads/hostile", good().tip)),
    rp("not a pack (signature)", () => push(Buffer.concat([Buffer.from("JUNK"), good().pack.subarray(4)]))),
    rp("pack version 4", () => {
      const p = Buffer.from(good().pack.subarray(0, good().pack.length - 20));
      p.writeUInt32BE(4, 4);
      return push(withTrailer(p));
    }),
    rp("entry declares 2^40 bytes", () => push(buildPack([{ type: OBJ.blob, size: 2 ** 40, data: Buffer.from("x") }]))),
    rp("entry size header of 12 continuation bytes", () =>
      push(buildPack([{ type: OBJ.blob, zdata: Buffer.concat([Buffer.alloc(11, 0xff), Buffer.from([0x01]), deflateSync(Buffer.from("x"))]), size: 0 }])),
    ),
    rp("entry declares the object limit + 1", () => push(buildPack([{ type: OBJ.blob, size: big + 1, data: Buffer.from("x") }]))),
    rp("entry declares the object limit, sends 10 bytes", () => push(buildPack([{ type: OBJ.blob, size: big, zdata: Buffer.from("0123456789") }]))),
    rp("entry of random bytes for zlib", () =>
      push(buildPack([{ type: OBJ.blob, size: 100, zdata: Buffer.from("this is not a zlib stream at all, not even close.....") }])),
    ),
    rp("zlib bomb: declares 1000 bytes, inflates to 32 MiB", () =>
      push(buildPack([{ type: OBJ.blob, size: 1000, zdata: deflateSync(Buffer.alloc(32 * MiB)) }])),
    ),
    rp("invalid object type 5", () => push(buildPack([{ type: 5, data: Buffer.from("x") }]))),
    // ── deltas ─────────────────────────────────────────────────────────────────
    rp("delta: base size does not match the base", () => deltaPush(t, delta(3, 3, [{ copy: [0, 3] }]))),
    rp("delta: declared result 2^32+5 bytes (the 210-byte push)", () => deltaPush(t, delta(good().blob.data.length, 2 ** 32 + 5, [{ copy: [0, 10] }]))),
    rp("delta: declared result 2^60 bytes", () => deltaPush(t, delta(good().blob.data.length, 2 ** 60, [{ copy: [0, 10] }]))),
    rp("delta: declared result just over the object limit", () => deltaPush(t, delta(good().blob.data.length, big + 1, [{ copy: [0, 10] }]))),
    rp("delta: copy out of the base's range", () => deltaPush(t, delta(good().blob.data.length, 100, [{ copy: [good().blob.data.length - 10, 100] }]))),
    rp("delta: instructions produce less than declared", () => deltaPush(t, delta(good().blob.data.length, 100, [{ copy: [0, 10] }]))),
    rp("delta: instructions produce more than declared", () => deltaPush(t, delta(good().blob.data.length, 5, [{ copy: [0, 10] }]))),
    rp("delta: reserved instruction 0", () => deltaPush(t, Buffer.concat([delta(good().blob.data.length, 1, []), Buffer.from([0])]))),
    rp("delta: size header that never ends", () => deltaPush(t, Buffer.alloc(40, 0xff))),
    rp("OFS_DELTA base before the pack start", () => deltaPush(t, delta(1, 1, [{ insert: Buffer.from("x") }]), { ofs: 1_000_000 })),
    rp("OFS_DELTA base offset 0 (itself)", () => deltaPush(t, delta(1, 1, [{ insert: Buffer.from("x") }]), { ofs: 0 })),
    rp("REF_DELTA against an object nobody has", () =>
      push(buildPack([{ type: OBJ.refDelta, base: "2".repeat(40), data: delta(1, 1, [{ insert: Buffer.from("x") }]) }])),
    ),
    rp("16 deltas of 16 MiB instructions each, waiting on a missing base", () =>
      push(buildPack(Array.from({ length: 16 }, (): RawEntry => ({ type: OBJ.refDelta, base: "3".repeat(40), size: 16 * MiB, zdata: zeros16 })))),
    ),
    rp("delta of 16 MiB zero instructions on a real base", () =>
      push(
        buildPack([
          { type: OBJ.blob, data: good().blob.data },
          { type: OBJ.ofsDelta, ofsTo: 0, size: 16 * MiB, zdata: zeros16 },
        ]),
      ),
    ),
    // ── pkt-lines and commands ─────────────────────────────────────────────────
    rp("pkt-line length `zzzz`", () => Buffer.from("zzzz")),
    rp("pkt-line length `0003`", () => Buffer.from("0003")),
    rp("pkt-line length past the end", () => Buffer.from(`00ff${ZERO_ID} ${ZERO_ID} refs/heads/x`)),
    rp("command that is not `<old> <new> <ref>`", () => Buffer.concat([pkt("this is not a command\0 report-status\n"), FLUSH])),
    rp("commands with no flush and no pack", () => pkt(`${ZERO_ID} ${"1".repeat(40)} refs/heads/x\0 report-status\n`)),
    rp("command with a non-hex new id", () => Buffer.concat([pkt(`${ZERO_ID} ${"z".repeat(40)} refs/heads/x\0 report-status\n`), FLUSH])),
    rp("funny refname", () => push(good().pack, "refs/heads/bad..name", good().tip)),
    rp("ref name with a control character", () => push(good().pack, "refs/heads/a\x01b", good().tip)),
    rp("update with a wrong old value", () =>
      receivePackRequest([{ old: "4".repeat(40), new: good().tip, ref: "refs/heads/main" }], good().pack, "report-status"),
    ),
    rp("create of an existing ref", () => receivePackRequest([{ old: ZERO_ID, new: good().tip, ref: "refs/heads/main" }], good().pack, "report-status")),
    rp("two commands for one ref (atomic)", () =>
      receivePackRequest(
        [
          { old: ZERO_ID, new: t.head, ref: "refs/heads/dup" },
          { old: ZERO_ID, new: t.head, ref: "refs/heads/dup" },
        ],
        null,
        "report-status atomic",
      ),
    ),
    rp("deletion of the branch HEAD points to", () =>
      receivePackRequest([{ old: t.head, new: ZERO_ID, ref: "refs/heads/main" }], null, "report-status side-band-64k"),
    ),
    rp("1001 ref updates", () =>
      receivePackRequest(
        Array.from({ length: 1001 }, (_, i) => ({ old: "5".repeat(40), new: ZERO_ID, ref: `refs/heads/gone-${i}` })),
        null,
        "report-status",
      ),
    ),
    rp("branch pointed at a blob", () =>
      receivePackRequest([{ old: ZERO_ID, new: t.blob, ref: "refs/heads/blobby" }], buildPack([]), "report-status side-band-64k"),
    ),
    rp("ref to an object neither sent nor stored", () =>
      receivePackRequest([{ old: ZERO_ID, new: "6".repeat(40), ref: "refs/heads/x" }], buildPack([]), "report-status"),
    ),
    // ── objects git's fsck refuses ─────────────────────────────────────────────
    rp("tree entry `.git`", () => treePush(t, [["100644", ".git", t.blob]])),
    rp("tree entry `.GIT`", () => treePush(t, [["100644", ".GIT", t.blob]])),
    rp("tree entry `git~1`", () => treePush(t, [["40000", "git~1", t.tree]])),
    rp("tree entry `..`", () => treePush(t, [["40000", "..", t.tree]])),
    rp("tree entry `.`", () => treePush(t, [["100644", ".", t.blob]])),
    rp("tree entry with an empty name", () => treePush(t, [["100644", "", t.blob]])),
    rp("tree entry with a `/`", () => treePush(t, [["100644", "a/b", t.blob]])),
    rp("tree with duplicate entries", () =>
      treePush(t, [
        ["100644", "a", t.blob],
        ["100644", "a", t.blob],
      ]),
    ),
    rp("tree not sorted", () =>
      treePush(t, [
        ["100644", "b", t.blob],
        ["100644", "a", t.blob],
      ]),
    ),
    rp("tree entry mode 100645", () => treePush(t, [["100645", "a", t.blob]])),
    rp("tree entry mode 040000 (zero-padded)", () => treePush(t, [["040000", "d", t.tree]])),
    rp("tree entry pointing to the null id", () => treePush(t, [["100644", "a", ZERO_ID]])),
    rp("tree entry of mode 100644 pointing at a tree", () => treePush(t, [["100644", "a", t.tree]])),
    rp("commit whose tree is a blob", () => commitPush(t, rawCommit(t.blob, [t.head]))),
    rp("commit whose parent is a tree", () => commitPush(t, rawCommit(t.tree, [t.tree]))),
    rp("commit without author", () => commitPush(t, rawCommit(t.tree, [t.head], { author: null }))),
    rp("commit with a zero-padded date", () => commitPush(t, rawCommit(t.tree, [t.head], { author: "A <a@example.com> 0170000000 +0000" }))),
    rp("commit with a bad time zone", () => commitPush(t, rawCommit(t.tree, [t.head], { committer: "A <a@example.com> 1700000000 +00" }))),
    rp("commit with a NUL in its headers", () =>
      commitPush(t, Buffer.from(`tree ${t.tree}\nauthor A <a@e> 1 +0000\0\ncommitter A <a@e> 1 +0000\n\nx\n`, "latin1")),
    ),
    rp("tag whose type lies (says blob, points at a commit)", () => {
      const tag = gitObject("tag", Buffer.from(`object ${t.head}\ntype blob\ntag lie\ntagger A <a@example.com> 1 +0000\n\nx\n`));
      return receivePackRequest(
        [{ old: ZERO_ID, new: tag.id, ref: "refs/tags/lie" }],
        buildPack([{ type: tag.type, data: tag.data }]),
        "report-status side-band-64k",
      );
    }),
    rp("tag with a bad type", () => {
      const tag = gitObject("tag", Buffer.from(`object ${t.head}\ntype frob\ntag bad\ntagger A <a@example.com> 1 +0000\n\nx\n`));
      return receivePackRequest([{ old: ZERO_ID, new: tag.id, ref: "refs/tags/bad" }], buildPack([{ type: tag.type, data: tag.data }]), "report-status");
    }),
    // ── bodies ─────────────────────────────────────────────────────────────────
    rp("Content-Encoding: gzip on a body that is not gzip", () => good().body, { headers: { "Content-Encoding": "gzip" }, status: 400 }),
    rp("gzip bomb (120 MiB of zeros)", gzipBomb, { headers: { "Content-Encoding": "gzip" } }),
    rp("Content-Length longer than the body", () => good().body, { contentLength: good().body.length + 5000 }),
    rp("Content-Length shorter than the body", () => good().body, { contentLength: 100 }),
    // ── upload-pack, v0 and v2 ─────────────────────────────────────────────────
    up("pkt-line length `zzzz`", () => Buffer.from("zzzz")),
    up("pkt-line length `0003`", () => Buffer.from("0003")),
    up("pkt-line length past the end", () => Buffer.from(`00ffwant ${ZERO_ID}`)),
    up("want of a non-hex id", () => Buffer.concat([pkt("want not-a-hex-object-id-at-all-xxxxxxxxxxxx\n"), FLUSH, pkt("done\n")])),
    up("want of an unknown id", () => Buffer.concat([pkt(`want ${"1".repeat(40)} side-band-64k\n`), FLUSH, pkt("done\n")])),
    up("want of a blob no ref reaches", () => Buffer.concat([pkt(`want ${"7".repeat(40)}\n`), FLUSH, pkt("done\n")])),
    up("4097 wants", () => Buffer.concat([...Array.from({ length: 4097 }, () => pkt(`want ${t.head}\n`)), FLUSH, pkt("done\n")])),
    up("deepen 0", () => Buffer.concat([pkt(`want ${t.head}\n`), pkt("deepen 0\n"), FLUSH, pkt("done\n")])),
    up("deepen-not of an unknown ref", () => Buffer.concat([pkt(`want ${t.head}\n`), pkt("deepen-not nosuchref\n"), FLUSH, pkt("done\n")])),
    up("filter without the capability", () => Buffer.concat([pkt(`want ${t.head}\n`), pkt("filter blob:none\n"), FLUSH, pkt("done\n")])),
    up("have section with junk", () => Buffer.concat([pkt(`want ${t.head}\n`), FLUSH, pkt("junk\n")])),
    up("v2 request without command=", () => Buffer.concat([pkt("object-format=sha1\n"), DELIM, pkt("peel\n"), FLUSH]), { headers: V2 }),
    up("v2 unknown command", () => Buffer.concat([pkt("command=frobnicate\n"), FLUSH]), { headers: V2 }),
    up("v2 ls-refs with an unknown argument", () => Buffer.concat([pkt("command=ls-refs\n"), DELIM, pkt("frobnicate\n"), FLUSH]), { headers: V2 }),
    up(
      "v2 fetch with an unknown argument",
      () => Buffer.concat([pkt("command=fetch\n"), DELIM, pkt(`want ${t.head}\n`), pkt("frobnicate\n"), pkt("done\n"), FLUSH]),
      { headers: V2 },
    ),
    up("v2 fetch of an unknown id", () => Buffer.concat([pkt("command=fetch\n"), DELIM, pkt(`want ${"1".repeat(40)}\n`), pkt("done\n"), FLUSH]), {
      headers: V2,
    }),
    up("v2 fetch with no want", () => Buffer.concat([pkt("command=fetch\n"), DELIM, pkt("done\n"), FLUSH]), { headers: V2 }),
    up("v2 two delim packets", () => Buffer.concat([pkt("command=ls-refs\n"), DELIM, DELIM, FLUSH]), { headers: V2 }),
    up("v2 response-end packet in a request", () => Buffer.concat([pkt("command=ls-refs\n"), Buffer.from("0002"), FLUSH]), { headers: V2 }),
    up("v2 sha256 object format", () => Buffer.concat([pkt("command=ls-refs\n"), pkt("object-format=sha256\n"), DELIM, FLUSH]), { headers: V2 }),
    up("v2 request cut in the middle", () => Buffer.concat([pkt("command=fetch\n"), DELIM, pkt(`want ${t.head}\n`)]), { headers: V2 }),
    up("Content-Encoding: gzip on a body that is not gzip (v0)", () => Buffer.concat([pkt(`want ${t.head}\n`), FLUSH, pkt("done\n")]), {
      headers: { "Content-Encoding": "gzip" },
      status: 400,
    }),
    up("Content-Encoding: gzip on a body that is not gzip (v2)", () => Buffer.concat([pkt("command=ls-refs\n"), FLUSH]), {
      headers: { "Content-Encoding": "gzip", ...V2 },
      status: 400,
    }),
    up("gzip bomb (120 MiB of zeros)", gzipBomb, { headers: { "Content-Encoding": "gzip" } }),
    up("Content-Length longer than the body", () => Buffer.concat([pkt(`want ${t.head}\n`), FLUSH]), { contentLength: 5000 }),
  ];
  return cases;
}

/** Whether a response is a clean, git-style refusal; null when it is not (a 5xx, an accepted push, a pack...). */
export function refusalOf(service: HostileCase["service"], status: number, body: Buffer): string | null {
  if (status >= 500) return null;
  if (status >= 400) return `HTTP ${status}`;
  if (service === "git-upload-pack") {
    if (body.includes("PACK")) return null;
    const { lines } = parsePktLines(body);
    const err = lines.find((l) => l.startsWith("ERR ") || l.startsWith("\x03"));
    return err ? err.trim() : null;
  }
  const r = parseReceivePackResponse(body);
  if (r.errors.length) return `ERR ${r.errors.join("; ")}`;
  if (r.fatal) return `fatal: ${r.fatal.trim()}`;
  const unpack = r.status.find((l) => l.startsWith("unpack "));
  if (unpack && unpack !== "unpack ok") return unpack;
  const cmds = r.status.filter((l) => /^(ok|ng) /.test(l));
  if (cmds.length && cmds.every((l) => l.startsWith("ng "))) return cmds.join(" | ");
  return null;
}

/** Sends one case to `repoUrl` (…/name.git). A lying Content-Length goes over a raw socket. */
export async function sendCase(repoUrl: string, c: HostileCase, timeoutMs = 30_000): Promise<HostileResult> {
  const body = c.body();
  const headers = { "Content-Type": `application/x-${c.service}-request`, ...(c.headers ?? {}) };
  let status: number;
  let out: Buffer;
  if (c.contentLength !== undefined) ({ status, body: out } = await rawPost(`${repoUrl}/${c.service}`, headers, body, c.contentLength, timeoutMs));
  else {
    const res = await fetch(`${repoUrl}/${c.service}`, { method: "POST", body: new Uint8Array(body), headers, signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    out = Buffer.from(await res.arrayBuffer());
  }
  return { status, body: out, refusal: refusalOf(c.service, status, out) };
}

/** An HTTP/1.1 POST whose Content-Length is `length` whatever the body is; the socket is half-closed after the body. */
function rawPost(url: string, headers: Record<string, string>, body: Buffer, length: number, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no answer within ${timeoutMs} ms`))), timeoutMs);
    s.on("connect", () => {
      const head = [
        `POST ${u.pathname} HTTP/1.1`,
        `Host: ${u.host}`,
        `Content-Length: ${length}`,
        "Connection: close",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ].join("\r\n");
      s.write(`${head}\r\n\r\n`);
      s.end(body);
    });
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("error", (e) => (clearTimeout(timer), reject(e)));
    s.on("close", () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all.toString("latin1", 0, 20));
      if (!m) return reject(new Error(`connection closed without an HTTP answer (${all.length} bytes)`));
      const sep = all.indexOf("\r\n\r\n");
      resolve({ status: Number(m[1]), body: dechunk(all.subarray(sep + 4), /transfer-encoding: chunked/i.test(all.toString("latin1", 0, sep))) });
    });
  });
}

function dechunk(b: Buffer, chunked: boolean): Buffer {
  if (!chunked) return b;
  const out: Buffer[] = [];
  let p = 0;
  while (p < b.length) {
    const eol = b.indexOf("\r\n", p);
    if (eol < 0) break;
    const n = parseInt(b.toString("latin1", p, eol), 16);
    if (!n) break;
    out.push(b.subarray(eol + 2, eol + 2 + n));
    p = eol + 2 + n + 2;
  }
  return Buffer.concat(out);
}
