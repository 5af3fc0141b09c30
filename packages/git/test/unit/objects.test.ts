// Every object git writes must parse and re-serialize byte-for-byte, and hash to git's id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitSandbox } from "../support/git.js";
import { hashObject, parseCommit, parseTag, parseTree, serializeCommit, serializeTag, serializeTree, type ObjectType } from "../../src/index.js";

let sb: GitSandbox;
let objects: Array<{ oid: string; type: ObjectType; data: Buffer }>;

async function catAll(dir: string) {
  const r = await sb.run(["cat-file", "--batch-all-objects", "--batch", "--unordered"], { cwd: dir });
  const buf = r.stdoutBuffer;
  const out: typeof objects = [];
  let i = 0;
  while (i < buf.length) {
    const nl = buf.indexOf(10, i);
    const [oid, type, size] = buf.subarray(i, nl).toString().split(" ");
    const n = Number(size);
    out.push({ oid: oid!, type: type as ObjectType, data: buf.subarray(nl + 1, nl + 1 + n) });
    i = nl + 1 + n + 1;
  }
  return out;
}

beforeAll(async () => {
  sb = await GitSandbox.create("git-objects-");
  const dir = sb.path("repo");
  await sb.ok(["init", "-q", dir]);
  const c = sb.client(dir);
  await c.commit("first", { "a.txt": "a\n", "bin.dat": Buffer.from([0, 1, 2, 255, 254]), "dir/x": "x", "é ü.txt": "unicode" }, 1);
  await c.ok(["update-index", "--chmod=+x", "a.txt"]);
  await c.ok(["commit", "-qm", "exec bit"]);
  const { symlink } = await import("node:fs/promises");
  await symlink("a.txt", c.path("link"));
  await c.ok(["add", "link"]);
  const head = await c.line(["rev-parse", "HEAD"]);
  await c.ok(["update-index", "--add", "--cacheinfo", `160000,${head},sub`]);
  await c.ok(["commit", "-qm", "symlink and gitlink\n\nbody line"]);
  await c.ok(["tag", "-a", "v1", "-m", "annotated"]);
  await c.ok(["tag", "-a", "v1-of-tag", "v1", "-m", "tag of a tag"]);
  // A commit with gpgsig-like multi-line and unknown extra headers, written raw.
  const tree = await c.line(["rev-parse", "HEAD^{tree}"]);
  const raw =
    `tree ${tree}\nparent ${head}\nauthor A U Thor <a@example.com> 1700000000 +0100\ncommitter C O Mitter <c@example.com> 1700000001 -0530\n` +
    `x-extra some value\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned message\n`;
  const signed = await c.line(["hash-object", "-t", "commit", "-w", "--stdin", "--literally"], { input: raw });
  await c.ok(["update-ref", "refs/heads/signed", signed]);
  await c.commit("merge-base side", { "b.txt": "b" }, 3);
  await c.ok(["merge", "-q", "--no-ff", "signed", "-m", "merge signed"], {
    env: { GIT_AUTHOR_DATE: "@1700000100 +0000", GIT_COMMITTER_DATE: "@1700000100 +0000" },
  });
  objects = await catAll(dir);
});
afterAll(() => sb.dispose());

describe("objects round-trip byte-for-byte", () => {
  it("hashes every object to git's id", () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) expect(hashObject(o.type, o.data)).toBe(o.oid);
  });

  it("parses and re-serializes commits, trees and tags exactly", () => {
    const seen = new Set<string>();
    for (const o of objects) {
      seen.add(o.type);
      if (o.type === "commit") expect(Buffer.from(serializeCommit(parseCommit(o.data)))).toEqual(o.data);
      if (o.type === "tree") expect(Buffer.from(serializeTree(parseTree(o.data)))).toEqual(o.data);
      if (o.type === "tag") expect(Buffer.from(serializeTag(parseTag(o.data)))).toEqual(o.data);
    }
    expect([...seen].sort()).toEqual(["blob", "commit", "tag", "tree"]);
  });

  it("reads every tree mode and multi-parent commits", () => {
    const modes = new Set<string>();
    for (const o of objects) if (o.type === "tree") for (const e of parseTree(o.data)) modes.add(e.mode);
    expect([...modes].sort()).toEqual(["100644", "100755", "120000", "160000", "40000"]);
    const merges = objects.filter((o) => o.type === "commit" && parseCommit(o.data).parents.length === 2);
    expect(merges.length).toBe(1);
    const signed = objects.map((o) => o.type === "commit" && parseCommit(o.data)).find((c) => c && c.headers.some(([k]) => k === "gpgsig"));
    expect(signed && signed.headers.find(([k]) => k === "gpgsig")![1]).toContain("\n\niQEzBAABCAAdFiEE\n");
  });

  it("rejects malformed objects", () => {
    expect(() => parseCommit(Buffer.from("tree nothex\n\nmsg"))).toThrow(/tree/);
    expect(() => parseTree(Buffer.from("100644 name\0short"))).toThrow(/truncated/);
    expect(() => parseTag(Buffer.from("object 123\n\n"))).toThrow(/object/);
  });
});
