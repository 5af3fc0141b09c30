/**
 * What receive-pack refuses beyond broken packs, checked with the real git CLI against our server and against
 * `git http-backend` with `receive.fsckObjects=true` (git's transfer.fsckObjects): objects git's fsck refuses, a branch
 * pointed at a non-commit, deleting the branch HEAD points to (receive.denyDeleteCurrent), and two commands for one
 * ref. Plus the request errors only our server is asked about: an unknown ls-refs argument and a body that is not
 * the gzip it claims to be.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { advertisement, DELIM, FLUSH, parsePktLines, pkt, postReceivePack, receivePackRequest, ZERO_ID } from "../support/fixtures";
import { fsck, type GitClient, GitSandbox } from "../support/git";
import { buildPack } from "../support/pack-builder";
import { type GitServer, startHttpBackend, startOurs } from "../support/server";

let sb: GitSandbox;
let src: GitClient;
let head: string;
let blob: string;

beforeAll(async () => {
  sb = await GitSandbox.create("push-checks-");
  src = sb.client(sb.path("src"));
  await sb.ok(["init", "-q", "-b", "main", src.dir]);
  await src.commit("first", { "a.txt": "a\n", "dir/b.txt": "b\n" }, 1);
  head = await src.line(["rev-parse", "HEAD"]);
  blob = await src.line(["rev-parse", "HEAD:a.txt"]);
});
afterAll(async () => {
  await sb?.dispose();
});

/** A tree written verbatim (so it can break git's rules) and a commit of it on main. */
async function badCommit(rows: Array<[string, string, string]>): Promise<{ tree: string; commit: string }> {
  const raw = Buffer.concat(rows.map(([m, n, id]) => Buffer.concat([Buffer.from(`${m} ${n}\0`, "latin1"), Buffer.from(id, "hex")])));
  const tree = await src.line(["hash-object", "-t", "tree", "-w", "--stdin", "--literally"], { input: raw });
  const commit = await src.line(["commit-tree", tree, "-p", head, "-m", "bad tree"]);
  return { tree, commit };
}

const SERVERS: [string, () => Promise<GitServer>][] = [
  ["ours", startOurs],
  ["http-backend", () => startHttpBackend({ config: { "receive.fsckObjects": "true" } })],
];

describe.each(SERVERS)("push checks against %s", (name, start) => {
  let srv: GitServer;
  let url: string;
  beforeAll(async () => {
    srv = await start();
    await srv.createRepo("r");
    url = srv.url("r");
    await src.ok(["push", "-q", url, "main"]);
  });
  afterAll(async () => {
    await srv?.close();
  });

  const refs = () => sb.ok(["ls-remote", url]);

  test.each([
    ["`.git`", () => [["100644", ".git", blob]], "hasDotgit: contains '.git'"],
    ["`.GIT`", () => [["100644", ".GIT", blob]], "hasDotgit: contains '.git'"],
    ["`..`", () => [["100644", "..", blob]], "hasDotdot: contains '..'"],
    ["a `/` in a name", () => [["100644", "x/y", blob]], "fullPathname: contains full pathnames"],
    [
      "duplicate entries",
      () => [
        ["100644", "a", blob],
        ["100644", "a", blob],
      ],
      "duplicateEntries: contains duplicate file entries",
    ],
    [
      "unsorted entries",
      () => [
        ["100644", "b", blob],
        ["100644", "a", blob],
      ],
      "treeNotSorted: not properly sorted",
    ],
    ["a zero-padded mode", () => [["0100644", "a", blob]], "zeroPaddedFilemode: contains zero-padded file modes"],
    ["mode 100645", () => [["100645", "a", blob]], "badFilemode: contains bad file modes"],
  ] as [string, () => Array<[string, string, string]>, string][])("a tree with %s is refused with git's fsck message", async (what, rows, message) => {
    const before = await refs();
    const { tree, commit } = await badCommit(rows());
    const r = await src.run(["push", url, `${commit}:refs/heads/fsck`]);
    if (name === "http-backend" && message.startsWith("badFilemode")) {
      // git only warns about bad modes, even with transfer.fsckObjects; we refuse them (docs/contract-choices.md).
      expect(r.stderr).toContain(`remote: warning: object ${tree}: ${message}`);
      await src.ok(["push", "-q", url, ":refs/heads/fsck"]);
      return;
    }
    expect(r.code, `${what}: ${r.stderr}`).not.toBe(0);
    expect(r.stderr).toContain(`remote: error: object ${tree}: ${message}`);
    expect(r.stderr).toContain("remote: fatal: fsck error in packed object");
    expect(r.stderr).toMatch(/error: remote unpack failed: (index-pack|unpack-objects) abnormal exit/);
    expect(r.stderr).toMatch(/\[remote rejected\] .* -> fsck \(unpacker error\)/);
    expect(await refs()).toBe(before);
  });

  test("a commit with a zero-padded date is refused (zeroPaddedDate)", async () => {
    const tree = await src.line(["rev-parse", "HEAD^{tree}"]);
    const raw = `tree ${tree}\nparent ${head}\nauthor A <a@example.com> 0170000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\nx\n`;
    const commit = await src.line(["hash-object", "-t", "commit", "-w", "--stdin", "--literally"], { input: raw });
    const r = await src.run(["push", url, `${commit}:refs/heads/date`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`remote: error: object ${commit}: zeroPaddedDate: invalid author/committer line - zero-padded date`);
    expect(r.stderr).toMatch(/\[remote rejected\] .* -> date \(unpacker error\)/);
  });

  test("a branch pointed at a blob is refused for that ref only", async () => {
    const r = await src.run(["push", url, `${blob}:refs/heads/blobby`, `${head}:refs/heads/fine`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`trying to write non-commit object ${blob} to branch 'refs/heads/blobby'`);
    expect(r.stderr).toMatch(/\[remote rejected\] +\S+ -> blobby \(failed to update ref\)/);
    expect(r.stderr).toMatch(/\* \[new branch\] +\S+ -> fine/);
    const after = await refs();
    expect(after).not.toContain("refs/heads/blobby");
    expect(after).toContain(`${head}\trefs/heads/fine`);
  });

  test("deleting the branch HEAD points to is refused (receive.denyDeleteCurrent)", async () => {
    const r = await src.run(["push", url, ":main"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("refusing to delete the current branch: refs/heads/main");
    expect(r.stderr).toMatch(/\[remote rejected\] main \(deletion of the current branch prohibited\)/);
    expect(await refs()).toContain(`${head}\trefs/heads/main`);
    // other branches can still be deleted
    await src.ok(["push", "-q", url, `${head}:refs/heads/doomed`]);
    await src.ok(["push", "-q", url, ":doomed"]);
    expect(await refs()).not.toContain("refs/heads/doomed");
  });

  test("two commands for one ref: the first applies, the second no longer matches (as git applies them in order)", async () => {
    const second = await src.line(["commit-tree", `${head}^{tree}`, "-p", head, "-m", "second"]);
    const pack = (await src.run(["pack-objects", "--stdout", "-q"], { input: `${second}\n` })).stdoutBuffer;
    const body = receivePackRequest(
      [
        { old: ZERO_ID, new: head, ref: "refs/heads/twice" },
        { old: ZERO_ID, new: second, ref: "refs/heads/twice" },
      ],
      pack,
      "report-status",
    );
    const res = await postReceivePack(url, body);
    expect(res.report.status).toEqual(["unpack ok", "ok refs/heads/twice", "ng refs/heads/twice failed to update ref"]);
    expect(await refs()).toContain(`${head}\trefs/heads/twice`);
  });

  test("afterwards a clone is fsck --strict clean", async () => {
    const c = sb.client(sb.path(`clone-${name}`));
    await sb.ok(["clone", "-q", "--mirror", url, c.dir]);
    const check = await fsck(c);
    expect(check.code, check.stderr).toBe(0);
  });
});

describe("request errors on our server", () => {
  let srv: GitServer;
  beforeAll(async () => {
    srv = await startOurs();
    await srv.createRepo("r");
    await src.ok(["push", "-q", srv.url("r"), "main"]);
  });
  afterAll(async () => {
    await srv?.close();
  });

  const post = async (service: string, body: Buffer, headers: Record<string, string> = {}) => {
    const res = await fetch(`${srv.url("r")}/${service}`, {
      method: "POST",
      body: new Uint8Array(body),
      headers: { "Content-Type": `application/x-${service}-request`, ...headers },
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };

  test("v2 ls-refs with an unknown argument answers an ERR packet (git's `unexpected line`)", async () => {
    const r = await post("git-upload-pack", Buffer.concat([pkt("command=ls-refs\n"), DELIM, pkt("symrefs\n"), pkt("frobnicate\n"), FLUSH]), {
      "Git-Protocol": "version=2",
    });
    expect(r.status).toBe(200);
    expect(parsePktLines(r.body).lines).toEqual(["ERR unexpected line: 'frobnicate'\n"]);
  });

  test("v2 fetch with an unknown argument answers an ERR packet", async () => {
    const r = await post("git-upload-pack", Buffer.concat([pkt("command=fetch\n"), DELIM, pkt(`want ${head}\n`), pkt("frobnicate\n"), pkt("done\n"), FLUSH]), {
      "Git-Protocol": "version=2",
    });
    expect(parsePktLines(r.body).lines).toEqual(["ERR unexpected line: 'frobnicate'\n"]);
  });

  test.each([["git-upload-pack"], ["git-receive-pack"]])("Content-Encoding: gzip on a body that is not gzip: %s answers 400 with one line", async (service) => {
    const body =
      service === "git-upload-pack"
        ? Buffer.concat([pkt(`want ${head}\n`), FLUSH, pkt("done\n")])
        : receivePackRequest([{ old: head, new: ZERO_ID, ref: "refs/heads/x" }], null);
    const r = await post(service, body, { "Content-Encoding": "gzip" });
    expect(r.status).toBe(400);
    expect(r.body.toString()).toBe("Request body is not valid gzip data (Content-Encoding: gzip)\n");
  });

  test("include-tag is not advertised to v0 clients (the contract lists it as unsupported)", async () => {
    const { caps } = await advertisement(srv.url("r"), "git-upload-pack");
    expect(caps).toContain("ofs-delta");
    expect(caps).not.toContain("include-tag");
  });

  test("a delta that declares a 2^32+5-byte result is refused without allocating it", async () => {
    const pack = buildPack([
      { type: 3, data: Buffer.from("base\n") },
      { type: 6, ofsTo: 0, data: Buffer.from([5, 0x85, 0x80, 0x80, 0x80, 0x10, 0x90, 5]) },
    ]);
    const res = await postReceivePack(srv.url("r"), receivePackRequest([{ old: ZERO_ID, new: "1".repeat(40), ref: "refs/heads/huge" }], pack));
    expect(res.status).toBe(200);
    expect(res.report.status[0]).toMatch(/^unpack delta result of 4294967301 bytes is over the object size limit/);
  });
});
