/**
 * docs/git-protocol.md "Conformance scenarios" B 5, 6, 11: clone over v0/v1/v2, mirror/bare/single-branch/no-tags, and 2,000 tags
 * (large, gzip-encoded and chunked upload-pack requests: remote-curl.c `1024 < rpc->len`, `http.postBuffer`).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { annotatedTagIds, buildSourceRepo, fastImportHistory, seed, seedInBatches, type SourceRepo, withoutTags } from "../support/fixtures";
import { fsck, type GitClient, GitSandbox, snapshot } from "../support/git";
import { type GitServer, normalize, Oracle, SERVERS } from "../support/server";

let sb: GitSandbox;
let source: SourceRepo;
let manyTags: GitClient;
const oracle = new Oracle((o) => seed(o, "src", source.client));

beforeAll(async () => {
  sb = await GitSandbox.create();
  source = await buildSourceRepo(sb);
  // t5551 "create 2,000 tags in the repo": distinct commits, so a clone wants 2,000 different objects
  const dir = sb.path("tags2000");
  await sb.ok(["init", "-q", "-b", "main", dir]);
  manyTags = sb.client(dir);
  await fastImportHistory(manyTags, { branch: "main", count: 2000, lines: 20, tagPrefix: "t" });
});
afterAll(async () => {
  await oracle.close();
  await sb?.dispose();
});

/** Clones `repo` with `args`, checks fsck, and returns what must equal the oracle's clone. */
async function cloneOutcome(s: GitServer, repo: string, args: string[], config: string[] = []) {
  const dir = sb.path(`clone-${s.name}`);
  const r = await sb.run([...config.flatMap((c) => ["-c", c]), "clone", ...args, s.url(repo), dir]);
  if (r.code !== 0) return { code: r.code, stderr: normalize(r.stderr, s) };
  const g = sb.client(dir);
  const check = await fsck(g);
  return { code: r.code, fsck: check.code === 0 ? "clean" : check.stderr + check.stdout, ...(await snapshot(g)) };
}

describe.each(SERVERS)("clone against %s", (_name, start) => {
  let srv: GitServer;
  beforeAll(async () => {
    srv = await start();
    await seed(srv, "src", source.client);
  });
  afterAll(async () => {
    await srv?.close();
  });

  test.each([["0"], ["1"], ["2"]])("protocol.version=%s: fsck-clean, same tree, refs and objects as the oracle", async (v) => {
    const dir = sb.path(`clone-v${v}`);
    const r = await sb.run(["-c", `protocol.version=${v}`, "clone", srv.url("src"), dir], {
      env: { GIT_TRACE_PACKET: "1" },
    });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    if (v === "1") expect(r.stderr).toMatch(/< version 1\n/);
    if (v === "2") expect(r.stderr).toMatch(/< version 2\n/);
    const g = sb.client(dir);
    const check = await fsck(g);
    expect(check.code, check.stderr).toBe(0);
    expect(await g.line(["rev-parse", "HEAD^{tree}"])).toBe(await source.client.line(["rev-parse", "main^{tree}"]));
    expect(await g.line(["symbolic-ref", "HEAD"])).toBe("refs/heads/main");
    // every branch and tag of the source, under refs/remotes/origin/ and refs/tags/
    const remoteRefs = await g.ok(["for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/origin/", "refs/tags/"]);
    const sourceRefs = await source.client.ok(["for-each-ref", "--format=%(objectname) %(refname)"]);
    expect(
      remoteRefs
        .split("\n")
        .filter((l) => !l.endsWith(" refs/remotes/origin/HEAD"))
        .sort(),
    ).toEqual(sourceRefs.replaceAll("refs/heads/", "refs/remotes/origin/").split("\n").sort());
    // the source's objects, exactly
    const objects = (await g.ok(["rev-list", "--all", "--objects"])).split("\n").sort();
    expect(objects).toEqual((await source.client.ok(["rev-list", "--all", "--objects"])).split("\n").sort());
    expect(await snapshot(g)).toEqual(await oracle.run(`clone v${v}`, async (o) => snapshot(sb.client(await cloneTo(o, v)))));
  });

  test("--mirror: refs are exactly the source's", async () => {
    const out = await cloneOutcome(srv, "src", ["--mirror"]);
    expect(out).toMatchObject({ code: 0, fsck: "clean" });
    expect(out).toMatchObject({ refs: await source.client.ok(["for-each-ref", "--format=%(objectname) %(refname)"]) });
    expect(out).toEqual(await oracle.run("mirror", (o) => cloneOutcome(o, "src", ["--mirror"])));
  });

  test.each([
    ["--bare", ["--bare"]],
    ["--single-branch -b side", ["--single-branch", "-b", "side"]],
    ["--no-tags", ["--no-tags"]],
    ["--single-branch -b ünï --no-tags", ["--single-branch", "-b", "ünï", "--no-tags"]],
    ["-b v1.0 (tag)", ["-b", "v1.0"]],
    ["v0 --single-branch -b side", ["--single-branch", "-b", "side"], ["protocol.version=0"]],
  ] as [string, string[], string[]?][])("%s equals the oracle", async (key, args, config = []) => {
    const out = await cloneOutcome(srv, "src", args, config);
    expect(out).toMatchObject({ code: 0, fsck: "clean" });
    const want = await oracle.run(key, (o) => cloneOutcome(o, "src", args, config));
    // v0: we offer no include-tag (contract), so the tags it brings the oracle's client are left out.
    if (srv.name === "ours" && config.includes("protocol.version=0")) {
      const tags = await annotatedTagIds(source.client);
      expect(withoutTags(out, tags)).toEqual(withoutTags(want, tags));
    } else expect(out).toEqual(want);
  });

  test("--no-tags clone has no tags; --single-branch has one remote branch", async () => {
    const nt = await cloneOutcome(srv, "src", ["--no-tags"]);
    expect((nt as { refs: string }).refs).not.toContain("refs/tags/");
    const sbr = await cloneOutcome(srv, "src", ["--single-branch", "-b", "side"]);
    expect((sbr as { refs: string }).refs.match(/refs\/remotes\//g)).toHaveLength(1);
  });

  test.each([["0"], ["2"]])("--single-branch clone (v%s): annotated tags in side's history via include-tag, where offered", async (v) => {
    const dir = sb.path(`include-tag-v${v}`);
    const r = await sb.run(["-c", `protocol.version=${v}`, "clone", "--single-branch", "-b", "side", srv.url("src"), dir], {
      env: { GIT_TRACE_PACKET: "1" },
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const g = sb.client(dir);
    if (srv.name === "ours" && v === "0") {
      // Not advertised in v0 (the contract names include-tag unsupported): git does not ask, and the
      // clone has side's history without those tags.
      expect(r.stderr).not.toMatch(/> (want [0-9a-f]{40} .*\binclude-tag\b|include-tag\n)/);
      for (const tag of ["v0.9", "v1.0", "v1.0-nested"]) expect((await g.run(["rev-parse", "-q", "--verify", `refs/tags/${tag}`])).code).not.toBe(0);
      expect((await fsck(g)).code).toBe(0);
      return;
    }
    expect(r.stderr).toMatch(/> (want [0-9a-f]{40} .*\binclude-tag\b|include-tag\n)/);
    // tags are not wanted one by one: they arrive in the pack and clone writes the ones it then has
    for (const tag of ["v0.9", "v1.0", "v1.0-nested"]) {
      const id = await source.client.line(["rev-parse", `refs/tags/${tag}`]);
      expect(r.stderr, tag).not.toMatch(new RegExp(`> want ${id}`));
      expect(await g.line(["rev-parse", `refs/tags/${tag}`]), tag).toBe(id);
      expect(await g.line(["cat-file", "-t", id])).toBe("tag");
    }
    expect((await g.run(["rev-parse", "-q", "--verify", "refs/tags/v2.0"])).code).not.toBe(0);
  });

  test("--filter=blob:none: a blobless clone when the server advertises filter, else git's warning and a full clone", async () => {
    const dir = sb.path("blobless");
    const r = await sb.run(["clone", "--filter=blob:none", srv.url("src"), dir]);
    expect(r.code, r.stderr).toBe(0);
    const g = sb.client(dir);
    const promisor = (await g.run(["config", "remote.origin.promisor"])).stdout.trim() === "true";
    if (r.stderr.includes("filtering not recognized by server")) {
      // no `filter` in the advertisement: git falls back to a full clone
      expect((await fsck(g)).code).toBe(0);
      expect(await snapshot(g)).toEqual(await oracle.run("clone v2", async (o) => snapshot(sb.client(await cloneTo(o, "2")))));
    } else {
      expect(promisor).toBe(true);
      // blobs of older commits are missing until needed, then fetched lazily
      const missing = await g.ok(["rev-list", "--objects", "--all", "--missing=print"]);
      expect(missing).toMatch(/^\?[0-9a-f]{40}$/m);
      await g.ok(["checkout", "-q", "v0.9"]);
      expect((await fsck(g)).code).toBe(0);
    }
  });

  describe("2,000 tags", () => {
    beforeAll(async () => {
      await seedInBatches(srv, "tags2000", manyTags);
    });

    test("the batched pushes of 2,000 tags landed: ls-remote lists them all", async () => {
      const out = await sb.ok(["ls-remote", "--tags", srv.url("tags2000")]);
      expect(out.trim().split("\n")).toHaveLength(2000);
    });

    test("one push of 2,001 refs either lands or is refused with a message git can show", async () => {
      await srv.createRepo("tags2000-one-push");
      const r = await manyTags.run(["push", "--mirror", srv.url("tags2000-one-push")]);
      const refs = await sb.ok(["ls-remote", srv.url("tags2000-one-push")]);
      if (r.code === 0) {
        expect(refs.trim().split("\n")).toHaveLength(2002); // HEAD, main, 2,000 tags
        return;
      }
      // docs/git-protocol.md "Limits" allows a cap on ref updates per push; the refusal must reach the user intact and move nothing
      expect(r.stderr).not.toMatch(/protocol error|bad band|hung up unexpectedly/);
      expect(r.stderr).toMatch(/remote: |remote error: |\[remote rejected\]/);
      expect(refs).toBe("");
    });

    test.each([["2"], ["0"]])("clone (protocol.version=%s) sends a gzip-encoded request; result equals the source", async (v) => {
      const dir = sb.path(`tags-v${v}`);
      const r = await sb.run(["-c", `protocol.version=${v}`, "clone", "--bare", srv.url("tags2000"), dir], {
        env: { GIT_TRACE_CURL: "1", GIT_TRACE_CURL_NO_DATA: "1" },
      });
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      expect(r.stderr).toMatch(/=> Send header: Content-Encoding: gzip/);
      const g = sb.client(dir);
      expect(await g.ok(["for-each-ref", "--format=%(objectname) %(refname)"])).toBe(await manyTags.ok(["for-each-ref", "--format=%(objectname) %(refname)"]));
      expect((await fsck(g)).code).toBe(0);
    });

    // v2 needs a buffer above LARGE_PACKET_MAX (git 2.39 BUG()s at remote-curl.c:1495 otherwise), hence 65536 there
    test.each([
      ["0", "4096"],
      ["2", "65536"],
    ])("protocol.version=%s, http.postBuffer=%s: the request is chunked and still works", async (v, buffer) => {
      const dir = sb.path(`tags-chunked-v${v}`);
      const r = await sb.run(["-c", `http.postBuffer=${buffer}`, "-c", `protocol.version=${v}`, "clone", "--bare", srv.url("tags2000"), dir], {
        env: { GIT_TRACE_CURL: "1", GIT_TRACE_CURL_NO_DATA: "1" },
      });
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      expect(r.stderr).toMatch(/=> Send header: Transfer-Encoding: chunked/);
      const g = sb.client(dir);
      expect((await fsck(g)).code).toBe(0);
      expect(await g.ok(["rev-list", "--all", "--count"])).toBe("2000\n");
    });

    test("incremental v0 fetch into a clone after the server got one more tagged commit", async () => {
      const dir = sb.path("tags-inc");
      await sb.ok(["clone", "-q", srv.url("tags2000"), dir]);
      const g = sb.client(dir);
      // a fresh repo with the old tags as local refs; the fetch must negotiate over 2,000 haves' worth of refs
      const pusher = sb.client(sb.path("tags-pusher"));
      await sb.ok(["clone", "-q", srv.url("tags2000"), pusher.dir]);
      await pusher.commit("one more", { "more.txt": "more\n" }, 5000);
      await pusher.ok(["tag", "t2001"]);
      await pusher.ok(["push", "-q", "origin", "main", "t2001"]);
      const r = await g.run(["-c", "protocol.version=0", "-c", "http.postBuffer=4096", "fetch", "origin"]);
      expect(r.code, r.stderr).toBe(0);
      expect(await g.line(["rev-parse", "refs/tags/t2001"])).toBe(await pusher.line(["rev-parse", "HEAD"]));
      expect((await fsck(g)).code).toBe(0);
    });
  });
});

async function cloneTo(o: GitServer, v: string): Promise<string> {
  const dir = sb.path(`oracle-clone-v${v}`);
  await sb.ok(["-c", `protocol.version=${v}`, "clone", "-q", o.url("src"), dir]);
  return dir;
}
