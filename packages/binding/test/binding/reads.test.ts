// docs/contract.md "Repo handle" reads: readBlob, readTree, readCommit, readFile, log, on a repository pushed
// with the real git CLI. git itself (ls-tree, cat-file, rev-list) is the reference.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { symlink, writeFile, mkdir, chmod } from "node:fs/promises";
import { join } from "node:path";
import { GitSandbox, type GitClient } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";
import { fails, pushOk } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let g: GitClient;
let repo: Awaited<ReturnType<ServiceHandle["artifacts"]["get"]>>;
const ids: Record<string, string> = {};

const GITLINK = "1234567890abcdef1234567890abcdef12345678";
const utf8 = "héllo ✓ 日本\n";

/** path → [bytes, expected content type] */
const FILES: Record<string, [Buffer, string]> = {
  "img.PNG": [Buffer.from("not really a png"), "image/png"],
  "p.jpg": [Buffer.from("x"), "image/jpeg"],
  "p.JPEG": [Buffer.from("x"), "image/jpeg"],
  "a.gif": [Buffer.from("x"), "image/gif"],
  "a.webp": [Buffer.from("x"), "image/webp"],
  "favicon.ico": [Buffer.from("x"), "image/x-icon"],
  "doc.pdf": [Buffer.from("%PDF-1.4"), "application/pdf"],
  "page.html": [Buffer.from("<html><script>alert(1)</script></html>\n"), "text/plain;charset=utf-8"],
  "pic.svg": [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>\n'), "text/plain;charset=utf-8"],
  "app.js": [Buffer.from("alert(1)\n"), "text/plain;charset=utf-8"],
  "nul.txt": [Buffer.from("abc\0def"), "application/octet-stream"],
  "nul.png": [Buffer.from("abc\0def"), "image/png"],
  "latin1.txt": [Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), "application/octet-stream"],
  "utf8.txt": [Buffer.from(utf8), "text/plain;charset=utf-8"],
  "empty.txt": [Buffer.alloc(0), "text/plain;charset=utf-8"],
  // a multi-byte character cut by the 8,192-byte sample is tolerated when the file goes on...
  "split.txt": [Buffer.concat([Buffer.alloc(8191, 0x61), Buffer.from("é"), Buffer.from("tail")]), "text/plain;charset=utf-8"],
  // ...but not when the file really ends in the middle of one
  "cut.txt": [Buffer.concat([Buffer.alloc(8191, 0x61), Buffer.from([0xc3])]), "application/octet-stream"],
  "late-nul.txt": [Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]), "text/plain;charset=utf-8"],
  noext: [Buffer.from("plain\n"), "text/plain;charset=utf-8"],
  "dir.png/noext": [Buffer.from("inside\n"), "text/plain;charset=utf-8"],
  "bin.dat": [Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)), "application/octet-stream"],
  "ünï.txt": [Buffer.from("unicode name\n"), "text/plain;charset=utf-8"],
  // UTF-8 with bytes 0x80–0x9F in the name (Ü = c3 9c, — = e2 80 94)
  "Ü—dash.txt": [Buffer.from("bytes 0x80-0x9f in the name\n"), "text/plain;charset=utf-8"],
};

async function write(rel: string, data: Buffer | string) {
  const p = g.path(rel);
  await mkdir(join(p, ".."), { recursive: true });
  await writeFile(p, data);
}

/** A commit object written byte for byte, to control every header and the message's newlines. */
async function craft(tree: string, parents: string[], author: string, committer: string, message: string) {
  const body = `tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join("")}author ${author}\ncommitter ${committer}\n\n${message}`;
  return g.line(["hash-object", "-t", "commit", "-w", "--stdin"], { input: body });
}

beforeAll(async () => {
  svc = await startService();
  sb = await GitSandbox.create("binding-reads-");
  const dir = sb.path("src");
  await sb.ok(["init", "-q", dir]);
  g = sb.client(dir);

  // c1: every kind of tree entry and the content-type table
  await write("README.md", "# hello\n");
  await write("src/a.ts", "export const a = 1;\n");
  await write("dir/sub/deep.txt", "deep\n");
  await write("bin/run.sh", "#!/bin/sh\necho hi\n");
  await chmod(g.path("bin/run.sh"), 0o755);
  await write("which.txt", "one\n");
  for (const [p, [data]] of Object.entries(FILES)) await write(p, data);
  await symlink("README.md", g.path("link"));
  await symlink("dir", g.path("linkdir"));
  await g.ok(["add", "-A"]);
  await g.ok(["update-index", "--add", "--cacheinfo", `160000,${GITLINK},vendor/lib`]);
  await g.ok(["commit", "-q", "-m", "first"], { env: { GIT_AUTHOR_DATE: "@1577836800 +0000", GIT_COMMITTER_DATE: "@1577836800 +0000" } });
  ids.c1 = await g.line(["rev-parse", "HEAD"]);
  ids.tree1 = await g.line(["rev-parse", "HEAD^{tree}"]);
  ids.readme = await g.line(["rev-parse", "HEAD:README.md"]);
  ids.subtree = await g.line(["rev-parse", "HEAD:dir"]);

  // c2, c3: crafted commits (timezones, author != committer, message newlines)
  ids.c2 = await craft(ids.tree1, [ids.c1], "Ann Author <ann@example.com> 1600000000 +0530", "Cy Committer <cy@example.com> 1600003600 -0700", "crafted\n\n");
  ids.c3 = await craft(ids.tree1, [ids.c2], "Ünï Cödé <u@example.com> 1600007200 +0000", "Ünï Cödé <u@example.com> 1600007300 +0000", "no newline at end");
  ids.c3b = await craft(ids.tree1, [ids.c2], "A <a@example.com> 1 +0000", "A <a@example.com> 1 +0000", "Über — “quoted” €\n");
  await g.ok(["update-ref", "refs/heads/crafted", ids.c3b]);
  await g.ok(["update-ref", "refs/heads/main", ids.c3]);
  await g.ok(["reset", "-q", "--hard"]);

  // c4 on main; side branch from c3; a --no-ff merge: first-parent history is m, c4, c3, c2, c1
  await g.ok(["checkout", "-q", "-b", "side"]);
  await g.commit("side one", { "side.txt": "1\n" }, 10);
  await g.commit("side two", { "side.txt": "2\n" }, 11);
  ids.s2 = await g.line(["rev-parse", "HEAD"]);
  await g.ok(["checkout", "-q", "main"]);
  ids.c4 = await g.commit("fourth\n\nwith a body\n", { "which.txt": "four\n" }, 12);
  await g.ok(["merge", "-q", "--no-ff", "-m", "merge side", "side"], {
    env: { GIT_AUTHOR_DATE: "@1578960000 +0000", GIT_COMMITTER_DATE: "@1578960000 +0000" },
  });
  ids.m = await g.line(["rev-parse", "HEAD"]);

  // refs of every kind
  await g.ok(["tag", "-a", "v1", "-m", "release", ids.c4]);
  ids.v1 = await g.line(["rev-parse", "v1"]);
  await g.ok(["tag", "lt", ids.c2]);
  await g.ok(["tag", "treetag", ids.tree1]);
  await g.ok(["tag", "blobtag", ids.readme]);
  await g.ok(["branch", "dup", ids.c1]);
  await g.ok(["tag", "dup", ids.c4]);
  await g.ok(["notes", "add", "-m", "a note", ids.m]);

  // an orphan branch of 1,100 commits, by fast-import
  let stream = "";
  for (let i = 0; i < 1100; i++) {
    const msg = `long ${i}\n`;
    stream += `commit refs/heads/long\ncommitter L <l@example.com> ${1500000000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}M 644 inline f.txt\ndata ${String(i).length + 1}\n${i}\n\n`;
  }
  await g.ok(["fast-import", "--quiet"], { input: stream });

  const created = await svc.artifacts.create("reads");
  await pushOk(sb, svc, dir, created, ["refs/*:refs/*"]);
  repo = await svc.artifacts.get("reads");
}, 120_000);
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const HASH_ERRORS: Array<[unknown, string]> = [
  ["", "Invalid hash: hash required."],
  [undefined, "Invalid hash: hash required."],
  [null, "Invalid hash: hash required."],
  ["abc", "Invalid hash: expected a 40-character SHA-1 hex hash."],
  ["A".repeat(40), "Invalid hash: expected a 40-character SHA-1 hex hash."],
  ["a".repeat(41), "Invalid hash: expected a 40-character SHA-1 hex hash."],
  ["g".repeat(40), "Invalid hash: expected a 40-character SHA-1 hex hash."],
  [` ${"a".repeat(39)}`, "Invalid hash: expected a 40-character SHA-1 hex hash."],
  [123, "Invalid hash: expected a 40-character SHA-1 hex hash."],
];
const MISSING = "0123456789012345678901234567890123456789";

describe("readBlob", () => {
  test("bytes of a blob, with no content type", async () => {
    for (const [p, [data]] of Object.entries(FILES)) {
      const b = await repo.readBlob(await g.line(["rev-parse", `HEAD:${p}`]));
      expect(b, p).not.toBeNull();
      expect(b!.type).toBe("");
      expect(Buffer.from(await b!.arrayBuffer()).equals(data), p).toBe(true);
    }
  });
  test("null when missing or not a blob", async () => {
    for (const h of [MISSING, ids.tree1!, ids.c1!, ids.v1!]) expect(await repo.readBlob(h)).toBeNull();
  });
  test.each(HASH_ERRORS)("hash %j: INVALID_INPUT", async (h, msg) => {
    await fails(() => (repo.readBlob as (h: unknown) => Promise<unknown>)(h), "INVALID_INPUT", msg);
  });
});

describe("readTree", () => {
  test("immediate children in git's order, with the mode and type mapping", async () => {
    for (const tree of [ids.tree1!, ids.subtree!]) {
      const raw = (await g.ok(["ls-tree", "-z", tree])).split("\0").filter(Boolean);
      const expected = raw.map((l) => {
        const [meta, name] = l.split("\t") as [string, string];
        const [mode, , hash] = meta.split(" ") as [string, string, string];
        const m = mode === "040000" ? "40000" : mode;
        const type = { "40000": "tree", "120000": "symlink", "160000": "gitlink", "100755": "exec" }[m] ?? "blob";
        return { name, mode: m, hash, type };
      });
      expect(await repo.readTree(tree)).toEqual(expected);
    }
    const root = (await repo.readTree(ids.tree1!))!;
    const byName = Object.fromEntries(root.map((e) => [e.name, e]));
    expect(byName.dir).toMatchObject({ mode: "40000", type: "tree" });
    expect(byName.link).toMatchObject({ mode: "120000", type: "symlink" });
    expect(byName["bin"]).toMatchObject({ type: "tree" });
    expect(byName["README.md"]).toMatchObject({ mode: "100644", type: "blob", hash: ids.readme });
    expect(byName["ünï.txt"]).toMatchObject({ type: "blob" });
    expect(byName["Ü—dash.txt"]).toMatchObject({ type: "blob" });
    expect(byName.vendor).toMatchObject({ type: "tree" });
    const vendor = (await repo.readTree(byName.vendor!.hash))!;
    expect(vendor).toEqual([{ name: "lib", mode: "160000", hash: GITLINK, type: "gitlink" }]);
    const bin = (await repo.readTree(byName.bin!.hash))!;
    expect(bin).toEqual([expect.objectContaining({ name: "run.sh", mode: "100755", type: "exec" })]);
  });
  test("null when missing; INTERNAL_ERROR when the object is not a tree", async () => {
    expect(await repo.readTree(MISSING)).toBeNull();
    for (const h of [ids.c1!, ids.readme!, ids.v1!]) await fails(() => repo.readTree(h), "INTERNAL_ERROR");
  });
  test.each(HASH_ERRORS)("hash %j: INVALID_INPUT", async (h, msg) => {
    await fails(() => (repo.readTree as (h: unknown) => Promise<unknown>)(h), "INVALID_INPUT", msg);
  });
});

describe("readCommit", () => {
  test("metadata: one trailing newline removed, seconds timestamps, offsets dropped, parents in order", async () => {
    expect(await repo.readCommit(ids.c2!)).toEqual({
      hash: ids.c2,
      treeHash: ids.tree1,
      message: "crafted\n",
      author: { name: "Ann Author", email: "ann@example.com" },
      committer: { name: "Cy Committer", email: "cy@example.com" },
      parents: [ids.c1],
      authoredAt: 1600000000,
      committedAt: 1600003600,
    });
    expect(await repo.readCommit(ids.c3!)).toMatchObject({
      message: "no newline at end",
      author: { name: "Ünï Cödé", email: "u@example.com" },
      authoredAt: 1600007200,
      committedAt: 1600007300,
    });
    expect(await repo.readCommit(ids.c3b!)).toMatchObject({ message: "Über — “quoted” €" });
    expect(await repo.readCommit(ids.c1!)).toMatchObject({
      message: "first",
      parents: [],
      authoredAt: 1577836800,
      author: { name: "Conformance Test", email: "test@example.com" },
    });
    expect(await repo.readCommit(ids.c4!)).toMatchObject({ message: "fourth\n\nwith a body" });
    expect((await repo.readCommit(ids.m!))!.parents).toEqual([ids.c4, ids.s2]);
  });
  test("null when missing; INTERNAL_ERROR when the object is not a commit", async () => {
    expect(await repo.readCommit(MISSING)).toBeNull();
    for (const h of [ids.tree1!, ids.readme!, ids.v1!]) await fails(() => repo.readCommit(h), "INTERNAL_ERROR");
  });
  test.each(HASH_ERRORS)("hash %j: INVALID_INPUT", async (h, msg) => {
    await fails(() => (repo.readCommit as (h: unknown) => Promise<unknown>)(h), "INVALID_INPUT", msg);
  });
});

describe("readFile", () => {
  const text = async (ref: string, path: string) => {
    const b = await repo.readFile({ ref, path });
    return b === null ? null : await b.text();
  };

  test("bytes and browser-safe content types", async () => {
    for (const [p, [data, type]] of Object.entries(FILES)) {
      const b = await repo.readFile({ ref: "main", path: p });
      expect(b, p).not.toBeNull();
      expect(b!.type, p).toBe(type);
      expect(Buffer.from(await b!.arrayBuffer()).equals(data), p).toBe(true);
    }
  });

  test("path normalisation: empty and . segments dropped; .. or nothing left is null", async () => {
    expect(await text("main", "/dir//./sub/deep.txt")).toBe("deep\n");
    expect(await text("main", "dir/sub/deep.txt/")).toBe("deep\n");
    expect(await text("main", "./README.md")).toBe("# hello\n");
    for (const p of ["dir/sub/../sub/deep.txt", "..", "../README.md", ".", "/", "//", "./."]) expect(await text("main", p), p).toBeNull();
  });

  test("null for directories, gitlinks, paths through them, and missing paths; symlinks give their target", async () => {
    for (const p of ["dir", "dir/sub", "src", "vendor/lib", "vendor/lib/x", "nope.txt", "dir/nope", "README.md/x", "linkdir/sub/deep.txt"])
      expect(await text("main", p), p).toBeNull();
    const link = await repo.readFile({ ref: "main", path: "link" });
    expect(await link!.text()).toBe("README.md");
    expect(link!.type).toBe("text/plain;charset=utf-8");
    expect(await text("main", "linkdir")).toBe("dir");
  });

  test("ref forms: HEAD, 40-hex, refs/heads, refs/tags (peeled), short names (branch before tag)", async () => {
    const cases: Array<[string, string | null]> = [
      ["HEAD", "four\n"],
      ["main", "four\n"],
      ["refs/heads/main", "four\n"],
      [ids.c1!, "one\n"],
      [ids.m!, "four\n"],
      ["v1", "four\n"],
      ["refs/tags/v1", "four\n"],
      ["lt", "one\n"],
      ["refs/tags/lt", "one\n"],
      ["side", "one\n"],
      ["dup", "one\n"], // branch dup (c1) wins over tag dup (c4)
      ["refs/tags/dup", "four\n"],
      ["refs/notes/commits", null],
      ["refs/remotes/origin/main", null],
      ["refs/heads/nope", null],
      ["nope", null],
      ["treetag", null],
      ["blobtag", null],
      [ids.c1!.slice(0, 7), null],
      [MISSING, null],
      [ids.tree1!, null],
      [ids.readme!, null],
      ["heads/main", null],
      ["main~1", null],
    ];
    for (const [ref, want] of cases) expect(await text(ref, "which.txt"), ref).toBe(want);
  });

  test("INVALID_INPUT for an empty ref or path", async () => {
    const readFile = repo.readFile as (a: unknown) => Promise<unknown>;
    for (const a of [{ ref: "", path: "a" }, { path: "a" }, { ref: null, path: "a" }, {}, undefined])
      await fails(() => readFile(a), "INVALID_INPUT", "Invalid ref: ref required.");
    for (const a of [{ ref: "main", path: "" }, { ref: "main" }, { ref: "main", path: null }])
      await fails(() => readFile(a), "INVALID_INPUT", "Invalid path: path required.");
  });

  test("an empty repo: HEAD resolves to nothing", async () => {
    await svc.artifacts.create("reads-empty");
    const empty = await svc.artifacts.get("reads-empty");
    expect(await empty.readFile({ ref: "HEAD", path: "README.md" })).toBeNull();
    expect(await empty.log()).toEqual([]);
  });
});

describe("log", () => {
  const hashes = async (opts?: Parameters<typeof repo.log>[0]) => (await repo.log(opts)).map((c) => c.hash);
  const revList = async (...args: string[]) => (await g.ok(["rev-list", "--first-parent", ...args])).split("\n").filter(Boolean);

  test("first-parent from HEAD, newest first; entries equal readCommit", async () => {
    const log = await repo.log();
    expect(log.map((c) => c.hash)).toEqual([ids.m, ids.c4, ids.c3, ids.c2, ids.c1]);
    for (const c of log) expect(await repo.readCommit(c.hash)).toEqual(c);
  });

  test("the ref forms of readFile", async () => {
    const cases: Array<[string, string[]]> = [
      ["HEAD", [ids.m!, ids.c4!, ids.c3!, ids.c2!, ids.c1!]],
      ["refs/heads/main", [ids.m!, ids.c4!, ids.c3!, ids.c2!, ids.c1!]],
      [ids.c3!, [ids.c3!, ids.c2!, ids.c1!]],
      ["v1", [ids.c4!, ids.c3!, ids.c2!, ids.c1!]],
      ["refs/tags/v1", [ids.c4!, ids.c3!, ids.c2!, ids.c1!]],
      ["side", await revList("side")],
      ["dup", [ids.c1!]],
      ["refs/notes/commits", []],
      ["treetag", []],
      ["nope", []],
      ["", []],
      [ids.c1!.slice(0, 7), []],
      [MISSING, []],
    ];
    for (const [ref, want] of cases) expect(await hashes({ ref }), ref).toEqual(want);
  });

  test("limit: default 50, capped at 1,000 silently; offset skips", async () => {
    const all = await revList("long");
    expect(all).toHaveLength(1100);
    expect(await hashes({ ref: "long" })).toEqual(all.slice(0, 50));
    expect(await hashes({ ref: "long", limit: 5000 })).toEqual(all.slice(0, 1000));
    expect(await hashes({ ref: "long", limit: 1000, offset: 1000 })).toEqual(all.slice(1000));
    expect(await hashes({ ref: "long", limit: 3, offset: 10 })).toEqual(all.slice(10, 13));
    expect(await hashes({ ref: "long", offset: 1095 })).toEqual(all.slice(1095));
    expect(await hashes({ ref: "long", offset: 1100 })).toEqual([]);
    expect(await hashes({ ref: "long", limit: 1 })).toEqual([all[0]]);
    expect(await hashes({ ref: "main", limit: 2, offset: 1 })).toEqual([ids.c4, ids.c3]);
  });

  test("invalid options: INVALID_INPUT", async () => {
    const log = repo.log as (o: unknown) => Promise<unknown>;
    for (const o of ["x", 5, null, []]) await fails(() => log(o), "INVALID_INPUT", "Artifacts log options must be an object");
    for (const ref of [5, null, true, {}]) await fails(() => log({ ref }), "INVALID_INPUT", "Invalid ref: must be a string.");
    for (const limit of [0, -1, 1.5, "5", null, Number.NaN]) await fails(() => log({ limit }), "INVALID_INPUT", "Invalid limit: must be a positive integer.");
    for (const offset of [-1, 0.5, "1", null]) await fails(() => log({ offset }), "INVALID_INPUT", "Invalid offset: must be a non-negative integer.");
  });
});
