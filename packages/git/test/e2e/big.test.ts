/**
 * docs/git-protocol.md "Conformance scenarios" B 12 and D 25–26: the slow ones. A 50 MB random file pushed with a small `http.postBuffer` (probe POST of
 * `0000`, then a chunked body) and cloned back; the 300-version history repacked with --depth=250 cloned, and thin /
 * not thin pushes against its deep delta chain.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addBigFile, buildDeepHistory, buildSourceRepo, seed, type SourceRepo } from "../support/fixtures";
import { fsck, type GitClient, GitSandbox, snapshot } from "../support/git";
import { type GitServer, SERVERS } from "../support/server";

let sb: GitSandbox;
let source: SourceRepo;
let big: GitClient;
let bigSha256: string;
let deep: GitClient;

beforeAll(async () => {
  sb = await GitSandbox.create();
  source = await buildSourceRepo(sb);
  big = sb.client(sb.path("big"));
  await sb.ok(["clone", "-q", source.dir, big.dir]);
  await addBigFile(big, 50);
  bigSha256 = createHash("sha256")
    .update(await readFile(big.path("big.bin")))
    .digest("hex");
  deep = await buildDeepHistory(sb);
}, 300_000);
afterAll(async () => {
  await sb?.dispose();
});

describe.each(SERVERS)("big objects against %s", (_name, start) => {
  let srv: GitServer;
  beforeAll(async () => {
    srv = await start();
  });
  afterAll(async () => {
    await srv?.close();
  });

  test("push a 50 MB file with http.postBuffer=65536 (probe + chunked), clone it back intact", { timeout: 300_000 }, async () => {
    await seed(srv, "big", source.client);
    const r = await big.run(["-c", "http.postBuffer=65536", "push", srv.url("big"), "HEAD:refs/heads/main"], {
      env: { GIT_TRACE_CURL: "1", GIT_TRACE_CURL_NO_DATA: "1" },
      timeoutMs: 240_000,
    });
    expect(
      r.code,
      r.stderr
        .split("\n")
        .filter((l) => !l.includes("http.c"))
        .join("\n"),
    ).toBe(0);
    expect(r.stderr).toMatch(/=> Send header: Transfer-Encoding: chunked/);
    expect(r.stderr).toMatch(/=> Send header: Content-Length: 4\r?\n/); // the `0000` probe
    expect(await sb.ok(["ls-remote", srv.url("big"), "refs/heads/main"])).toBe(`${await big.line(["rev-parse", "HEAD"])}\trefs/heads/main\n`);

    const dir = sb.path("big-clone");
    await sb.ok(["clone", "-q", srv.url("big"), dir], { timeoutMs: 240_000 });
    const c = sb.client(dir);
    expect(
      createHash("sha256")
        .update(await readFile(c.path("big.bin")))
        .digest("hex"),
    ).toBe(bigSha256);
    expect((await fsck(c)).code).toBe(0);
    const mine = await snapshot(c);
    expect(mine.objects).toBe((await snapshot(big)).objects);
  });

  test("depth-250 history: mirror push, clone, fsck, 300 commits", { timeout: 300_000 }, async () => {
    await srv.createRepo("deep");
    await deep.ok(["push", "-q", "--mirror", srv.url("deep")], { timeoutMs: 240_000 });
    const dir = sb.path("deep-clone");
    await sb.ok(["clone", "-q", srv.url("deep"), dir], { timeoutMs: 240_000 });
    const c = sb.client(dir);
    expect((await fsck(c)).code).toBe(0);
    expect(await c.line(["rev-list", "--count", "HEAD"])).toBe("300");
    expect(await c.line(["rev-parse", "HEAD:versions.txt"])).toBe(await deep.line(["rev-parse", "HEAD:versions.txt"]));
    expect((await snapshot(c)).objects).toBe((await snapshot(deep)).objects);
  });

  test("thin push of a one-line edit to the 300-version file, then --no-thin", { timeout: 300_000 }, async () => {
    await srv.createRepo("deep-thin");
    await deep.ok(["push", "-q", "--mirror", srv.url("deep-thin")], { timeoutMs: 240_000 });
    const dir = sb.path("deep-thin-clone");
    await sb.ok(["clone", "-q", srv.url("deep-thin"), dir], { timeoutMs: 240_000 });
    const c = sb.client(dir);
    const text = await readFile(c.path("versions.txt"), "utf8");
    await c.commit("edit one line", { "versions.txt": text.replace("line 7\n", "line 7 edited\n") }, 4000);
    await c.ok(["push", "-q", "--thin", "origin", "main"]);
    await c.commit("edit another", { "versions.txt": text.replace("line 9\n", "line 9 edited\n") }, 4001);
    await c.ok(["push", "-q", "--no-thin", "origin", "main"]);
    const fresh = sb.client(sb.path("deep-thin-fresh"));
    await sb.ok(["clone", "-q", srv.url("deep-thin"), fresh.dir], { timeoutMs: 240_000 });
    expect((await fsck(fresh)).code).toBe(0);
    expect(await fresh.line(["rev-parse", "HEAD"])).toBe(await c.line(["rev-parse", "HEAD"]));
    expect(await fresh.line(["rev-list", "--count", "HEAD"])).toBe("302");
  });
});
